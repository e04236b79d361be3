// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed and refused pvpanic_sim netlink requests, built by hand with
 * libmnl: each must fail with the expected errno and an extack message,
 * and leave the model untouched (status, configuration, event count).
 */
#include <errno.h>
#include <linux/types.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pvpanic_sim.h>

#include "../kselftest_harness.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif

struct reply {
	int error;			/* 0 or -errno from NLMSG_ERROR */
	char msg[256];			/* extack message, if any */
	__u32 attr[PVPANIC_SIM_A_MAX + 1];
	__u64 attr64[PVPANIC_SIM_A_MAX + 1];
};

struct snapshot {
	int status, capability, action;
	__u64 seq;
};

static char buf[32768];

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		__u16 t = mnl_attr_get_type(a);

		if (t > PVPANIC_SIM_A_MAX)
			continue;
		if (mnl_attr_get_payload_len(a) == 8)
			r->attr64[t] = mnl_attr_get_u64(a);
		else if (mnl_attr_get_payload_len(a) == 2)
			r->attr[t] = mnl_attr_get_u16(a);
		else if (mnl_attr_get_payload_len(a) == 4)
			r->attr[t] = mnl_attr_get_u32(a);
		else if (mnl_attr_get_payload_len(a) == 1)
			r->attr[t] = mnl_attr_get_u8(a);
	}
	return MNL_CB_OK;
}

static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct reply *r = data;
	const struct nlattr *a;
	unsigned int off = sizeof(*err);

	r->error = err->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return MNL_CB_STOP;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
	mnl_attr_for_each(a, nlh, off)
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			snprintf(r->msg, sizeof(r->msg), "%s",
				 mnl_attr_get_str(a));
	return MNL_CB_STOP;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = error_cb,
};

/* Send nlh (already filled), collect the reply and the ACK. */
static int xfer(struct mnl_socket *sk, struct nlmsghdr *nlh, mnl_cb_t cb,
		void *data)
{
	static __u32 seq;
	int ret;

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++seq;
	if (mnl_socket_sendto(sk, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(sk, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run2(buf, ret, seq, mnl_socket_get_portid(sk),
				  cb, data, ctl_cbs, NLMSG_MIN_TYPE);
	} while (ret > 0);
	return 0;
}

static struct nlmsghdr *genl_hdr(__u16 family, __u8 cmd)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = family;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = PVPANIC_SIM_FAMILY_VERSION;
	return nlh;
}

static int simple(struct mnl_socket *sk, __u16 family, __u8 cmd,
		  struct reply *r)
{
	memset(r, 0, sizeof(*r));
	return xfer(sk, genl_hdr(family, cmd), data_cb, r);
}

static void snap(struct __test_metadata *_metadata, struct mnl_socket *sk,
		 __u16 family, struct snapshot *s)
{
	struct reply r;

	ASSERT_EQ(0, simple(sk, family, PVPANIC_SIM_CMD_GET_STATUS, &r));
	ASSERT_EQ(0, r.error);
	s->status = r.attr[PVPANIC_SIM_A_STATUS];
	ASSERT_EQ(0, simple(sk, family, PVPANIC_SIM_CMD_GET_CONFIG, &r));
	ASSERT_EQ(0, r.error);
	s->capability = r.attr[PVPANIC_SIM_A_CAPABILITY];
	s->action = r.attr[PVPANIC_SIM_A_PANIC_ACTION];
	s->seq = r.attr64[PVPANIC_SIM_A_SEQ];
}

FIXTURE(sim) {
	struct mnl_socket *sk;
	__u16 family;
	struct snapshot before;
	struct reply r;
};

FIXTURE_SETUP(sim)
{
	const char *root = getenv("PVP_ROOT");
	char cmd[512];
	int one = 1;
	struct nlmsghdr *nlh;

	if (geteuid())
		SKIP(return, "needs root");
	if (!root)
		root = "../..";
	snprintf(cmd, sizeof(cmd),
		 "rmmod pvpanic_sim 2>/dev/null; insmod %s/host-module/pvpanic_sim.ko panic_action=pause",
		 root);
	ASSERT_EQ(0, system(cmd));

	self->sk = mnl_socket_open(NETLINK_GENERIC);
	ASSERT_NE(NULL, self->sk);
	ASSERT_EQ(0, mnl_socket_bind(self->sk, 0, MNL_SOCKET_AUTOPID));
	ASSERT_EQ(0, mnl_socket_setsockopt(self->sk, NETLINK_EXT_ACK, &one,
					   sizeof(one)));

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	((struct genlmsghdr *)mnl_nlmsg_put_extra_header(nlh,
		sizeof(struct genlmsghdr)))->cmd = CTRL_CMD_GETFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PVPANIC_SIM_FAMILY_NAME);
	memset(&self->r, 0, sizeof(self->r));
	ASSERT_EQ(0, xfer(self->sk, nlh, data_cb, &self->r));
	ASSERT_EQ(0, self->r.error);
	self->family = self->r.attr[CTRL_ATTR_FAMILY_ID];
	ASSERT_NE(0, self->family);

	snap(_metadata, self->sk, self->family, &self->before);
	ASSERT_EQ(PVPANIC_SIM_RUN_STATE_RUNNING, self->before.status);
	ASSERT_EQ(3, self->before.capability);
	ASSERT_EQ(PVPANIC_SIM_PANIC_ACTION_PAUSE, self->before.action);
}

FIXTURE_TEARDOWN(sim)
{
	if (self->sk)
		mnl_socket_close(self->sk);
	if (system("rmmod pvpanic_sim 2>/dev/null"))
		TH_LOG("rmmod pvpanic_sim failed");
}

/* The request was refused with err/msg and nothing changed. */
#define EXPECT_REFUSED(err, text) do {					\
	struct snapshot after;						\
	EXPECT_EQ(-(err), self->r.error);				\
	EXPECT_STREQ(text, self->r.msg);				\
	snap(_metadata, self->sk, self->family, &after);		\
	EXPECT_EQ(self->before.status, after.status);			\
	EXPECT_EQ(self->before.capability, after.capability);		\
	EXPECT_EQ(self->before.action, after.action);			\
	EXPECT_EQ(self->before.seq, after.seq);				\
} while (0)

static int send_req(struct mnl_socket *sk, struct reply *r,
		    struct nlmsghdr *nlh)
{
	memset(r, 0, sizeof(*r));
	return xfer(sk, nlh, data_cb, r);
}

TEST_F(sim, set_config_empty)
{
	struct nlmsghdr *nlh;

	nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(EINVAL,
		       "nothing to set: give capability and/or panic-action");
}

TEST_F(sim, capability_out_of_range)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 256);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(ERANGE, "integer out of range");
}

TEST_F(sim, panic_action_out_of_range)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION,
			 PVPANIC_SIM_PANIC_ACTION_MAX + 1);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(ERANGE, "integer out of range");
}

/* A valid attribute next to a bad one: the whole request is refused. */
TEST_F(sim, partial_update_refused)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 1);
	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION, 77);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(ERANGE, "integer out of range");
}

TEST_F(sim, capability_wrong_size)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u8(nlh, PVPANIC_SIM_A_CAPABILITY, 1);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(EINVAL, "invalid attribute length");
}

TEST_F(sim, unknown_attribute)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_MAX + 5, 1);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(EINVAL, "Unknown attribute type");
}

TEST_F(sim, attribute_not_for_this_command)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_STOP);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 1);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(EINVAL, "Unsupported attribute");
}

TEST_F(sim, truncated_attribute)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);
	struct nlattr *a;

	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 1);
	a->nla_len = 64;	/* longer than the message */
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_EQ(-EINVAL, self->r.error);
	struct snapshot after;

	snap(_metadata, self->sk, self->family, &after);
	EXPECT_EQ(self->before.capability, after.capability);
	EXPECT_EQ(self->before.seq, after.seq);
}

TEST_F(sim, unknown_command)
{
	struct nlmsghdr *nlh;

	nlh = genl_hdr(self->family, 200);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(EOPNOTSUPP, "");
}

TEST_F(sim, notification_is_not_a_command)
{
	struct nlmsghdr *nlh;

	nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_EVENT);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(EOPNOTSUPP, "");
}

TEST_F(sim, cont_needs_reset_after_shutdown)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION,
			 PVPANIC_SIM_PANIC_ACTION_SHUTDOWN);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	ASSERT_EQ(0, self->r.error);
	ASSERT_EQ(0, system("echo 1 > /sys/kernel/debug/pvpanic_sim/wrpt"));
	snap(_metadata, self->sk, self->family, &self->before);
	ASSERT_EQ(PVPANIC_SIM_RUN_STATE_SHUTDOWN, self->before.status);

	nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_CONT);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_REFUSED(EBUSY, "Resetting the Virtual Machine is required");
}

TEST_F(sim, valid_set_still_works)
{
	struct nlmsghdr *nlh = genl_hdr(self->family, PVPANIC_SIM_CMD_SET_CONFIG);
	struct snapshot after;

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 255);
	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION,
			 PVPANIC_SIM_PANIC_ACTION_NONE);
	ASSERT_EQ(0, send_req(self->sk, &self->r, nlh));
	EXPECT_EQ(0, self->r.error);
	snap(_metadata, self->sk, self->family, &after);
	EXPECT_EQ(255, after.capability);
	EXPECT_EQ(PVPANIC_SIM_PANIC_ACTION_NONE, after.action);
}

TEST_HARNESS_MAIN
