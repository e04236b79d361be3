// SPDX-License-Identifier: GPL-2.0
/*
 * Malformed and refused pvpanic_sim netlink requests, built by hand with
 * libmnl: each must fail with the expected errno and an extack message,
 * and leave the model untouched (status, configuration, event count).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <linux/pvpanic_sim.h>

#include "../kselftest_harness.h"
#include "pvp_nl.h"
#include "sim_mod.h"

struct snapshot {
	int status, capability, action;
	__u64 seq;
};

static void snap(struct __test_metadata *_metadata, struct pvp_nl *nl,
		 struct snapshot *s)
{
	struct pvp_nl_attrs at;

	ASSERT_EQ(0, pvp_nl_request(nl, pvp_nl_cmd(nl, PVPANIC_SIM_CMD_GET_STATUS),
				    &at));
	s->status = at.val[PVPANIC_SIM_A_STATUS];
	ASSERT_EQ(0, pvp_nl_request(nl, pvp_nl_cmd(nl, PVPANIC_SIM_CMD_GET_CONFIG),
				    &at));
	s->capability = at.val[PVPANIC_SIM_A_CAPABILITY];
	s->action = at.val[PVPANIC_SIM_A_PANIC_ACTION];
	s->seq = at.val[PVPANIC_SIM_A_SEQ];
}

FIXTURE(sim) {
	struct pvp_nl nl;
	struct snapshot before;
};

FIXTURE_SETUP(sim)
{
	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, sim_load("panic_action=pause"))
		TH_LOG("cannot load pvpanic_sim: %s", strerror(errno));
	ASSERT_EQ(0, pvp_nl_open(&self->nl));
	snap(_metadata, &self->nl, &self->before);
	ASSERT_EQ(PVPANIC_SIM_RUN_STATE_RUNNING, self->before.status);
	ASSERT_EQ(3, self->before.capability);
	ASSERT_EQ(PVPANIC_SIM_PANIC_ACTION_PAUSE, self->before.action);
}

FIXTURE_TEARDOWN(sim)
{
	pvp_nl_close(&self->nl);
	if (sim_unload())
		TH_LOG("cannot unload pvpanic_sim: %s", strerror(errno));
}

/* The request was refused with err/msg and nothing changed. */
#define EXPECT_REFUSED(err, text) do {					\
	struct snapshot after;						\
	EXPECT_EQ(-(err), self->nl.error);				\
	EXPECT_STREQ(text, self->nl.extack);				\
	snap(_metadata, &self->nl, &after);				\
	EXPECT_EQ(self->before.status, after.status);			\
	EXPECT_EQ(self->before.capability, after.capability);		\
	EXPECT_EQ(self->before.action, after.action);			\
	EXPECT_EQ(self->before.seq, after.seq);				\
} while (0)

/* Send a request: 0 when the kernel answered (its answer in nl->error). */
static int send_req(struct pvp_nl *nl, struct nlmsghdr *nlh)
{
	int ret = pvp_nl_request(nl, nlh, NULL);

	return nl->error ? 0 : ret;
}

TEST_F(sim, set_config_empty)
{
	struct nlmsghdr *nlh;

	nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(EINVAL,
		       "nothing to set: give capability and/or panic-action");
}

TEST_F(sim, capability_out_of_range)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 256);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(ERANGE, "integer out of range");
}

TEST_F(sim, panic_action_out_of_range)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION,
			 PVPANIC_SIM_PANIC_ACTION_MAX + 1);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(ERANGE, "integer out of range");
}

/* A valid attribute next to a bad one: the whole request is refused. */
TEST_F(sim, partial_update_refused)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 1);
	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION, 77);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(ERANGE, "integer out of range");
}

TEST_F(sim, capability_wrong_size)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u8(nlh, PVPANIC_SIM_A_CAPABILITY, 1);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(EINVAL, "invalid attribute length");
}

TEST_F(sim, unknown_attribute)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_MAX + 5, 1);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(EINVAL, "Unknown attribute type");
}

TEST_F(sim, attribute_not_for_this_command)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_STOP);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 1);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(EINVAL, "Unsupported attribute");
}

TEST_F(sim, truncated_attribute)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);
	struct nlattr *a;

	a = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 1);
	a->nla_len = 64;	/* longer than the message */
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_EQ(-EINVAL, self->nl.error);
	struct snapshot after;

	snap(_metadata, &self->nl, &after);
	EXPECT_EQ(self->before.capability, after.capability);
	EXPECT_EQ(self->before.seq, after.seq);
}

TEST_F(sim, unknown_command)
{
	struct nlmsghdr *nlh;

	nlh = pvp_nl_cmd(&self->nl, 200);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(EOPNOTSUPP, "");
}

TEST_F(sim, notification_is_not_a_command)
{
	struct nlmsghdr *nlh;

	nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_EVENT);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(EOPNOTSUPP, "");
}

#define SIM_WRPT "/sys/kernel/debug/pvpanic_sim/wrpt"

/* The byte @value through the model's WRPT (debugfs). */
static int wrpt(const char *value)
{
	FILE *f = fopen(SIM_WRPT, "w");

	if (!f)
		return -1;
	fputs(value, f);
	return fclose(f);
}

TEST_F(sim, cont_needs_reset_after_shutdown)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION,
			 PVPANIC_SIM_PANIC_ACTION_SHUTDOWN);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	ASSERT_EQ(0, self->nl.error);
	ASSERT_EQ(0, wrpt("1"));
	snap(_metadata, &self->nl, &self->before);
	ASSERT_EQ(PVPANIC_SIM_RUN_STATE_SHUTDOWN, self->before.status);

	nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_CONT);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_REFUSED(EBUSY, "Resetting the Virtual Machine is required");
}

TEST_F(sim, valid_set_still_works)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(&self->nl, PVPANIC_SIM_CMD_SET_CONFIG);
	struct snapshot after;

	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, 255);
	mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION,
			 PVPANIC_SIM_PANIC_ACTION_NONE);
	ASSERT_EQ(0, send_req(&self->nl, nlh));
	EXPECT_EQ(0, self->nl.error);
	snap(_metadata, &self->nl, &after);
	EXPECT_EQ(255, after.capability);
	EXPECT_EQ(PVPANIC_SIM_PANIC_ACTION_NONE, after.action);
}

TEST_HARNESS_MAIN
