// SPDX-License-Identifier: GPL-2.0
/*
 * Throw random and mutated generic netlink messages at the pvpanic_sim
 * family, as root (so the admin commands are reached too), then check that
 * the family still answers GET_STATUS with a valid state. The run is bounded
 * by a count and a time limit: PVP_FUZZ_N (default 100000) messages,
 * PVP_FUZZ_SECONDS (default 120). It loads pvpanic_sim itself and unloads it
 * after. The runner fails the test on any splat in the kernel log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pvpanic_sim.h>

#include "../kselftest.h"

static char buf[32768];
static char msg[4096];
static unsigned int rnd_state;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return n ? (rnd_state >> 8) % n : 0;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*(int *)data = mnl_attr_get_u16(a);
	return MNL_CB_OK;
}

static int status_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == PVPANIC_SIM_A_STATUS)
			*(int *)data = mnl_attr_get_u32(a);
	return MNL_CB_OK;
}

static struct nlmsghdr *genl_hdr(char *b, int type, int cmd, int flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = PVPANIC_SIM_FAMILY_VERSION;
	return nlh;
}

/* One request with an answer (or -errno); cb may be NULL. */
static int transact(struct mnl_socket *nl, struct nlmsghdr *nlh,
		    mnl_cb_t cb, void *data)
{
	unsigned int portid = mnl_socket_get_portid(nl);
	int ret;

	nlh->nlmsg_seq = time(NULL);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run(buf, ret, nlh->nlmsg_seq, portid, cb, data);
	} while (ret > 0);
	return ret < 0 ? -errno : 0;
}

/* A random message: any command, random attributes, sometimes broken. */
static size_t random_msg(int family)
{
	struct nlmsghdr *nlh;
	int i, n;

	nlh = genl_hdr(msg, family, rnd(12), NLM_F_REQUEST |
		       (rnd(2) ? NLM_F_ACK : 0) | (rnd(8) ? 0 : NLM_F_DUMP));
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = rnd(4);
	n = rnd(6);
	for (i = 0; i < n; i++) {
		unsigned int type = rnd(5) ? rnd(PVPANIC_SIM_A_MAX + 3) : rnd(65536);
		unsigned int len = rnd(4) ? (1u << rnd(4)) : rnd(64);
		char payload[64];
		unsigned int j;

		for (j = 0; j < len; j++)
			payload[j] = rnd(3) ? rnd(256) : (rnd(2) ? 0xff : 0);
		if (rnd(10) == 0) {
			struct nlattr *nest = mnl_attr_nest_start(nlh, type);

			mnl_attr_put(nlh, rnd(8), len, payload);
			mnl_attr_nest_end(nlh, nest);
		} else {
			mnl_attr_put(nlh, type, len, payload);
		}
	}
	/* Mutations: flip bytes anywhere past the netlink header, or lie
	 * about a length.
	 */
	if (rnd(4) == 0) {
		n = 1 + rnd(4);
		for (i = 0; i < n; i++)
			msg[sizeof(*nlh) + rnd(nlh->nlmsg_len - sizeof(*nlh))] ^= 1u << rnd(8);
	}
	if (rnd(16) == 0 && nlh->nlmsg_len > sizeof(*nlh) + 4)
		nlh->nlmsg_len -= 1 + rnd(4);
	return nlh->nlmsg_len;
}

int main(void)
{
	long n = getenv("PVP_FUZZ_N") ? atol(getenv("PVP_FUZZ_N")) : 100000;
	long secs = getenv("PVP_FUZZ_SECONDS") ? atol(getenv("PVP_FUZZ_SECONDS")) : 120;
	unsigned int seed = getenv("PVP_FUZZ_SEED") ? atoi(getenv("PVP_FUZZ_SEED")) : time(NULL);
	long sent = 0, errors = 0, replies = 0;
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	int family = 0, state = -1, one = 1;
	time_t start = time(NULL);

	const char *root = getenv("PVP_ROOT") ? getenv("PVP_ROOT") : "../..";
	char cmd[512];

	if (geteuid())
		ksft_exit_skip("needs root, to reach the admin commands\n");
	snprintf(cmd, sizeof(cmd),
		 "rmmod pvpanic_sim 2>/dev/null; insmod %s/host-module/pvpanic_sim.ko",
		 root);
	if (system(cmd))
		ksft_exit_fail_msg("cannot load pvpanic_sim\n");
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		ksft_exit_fail_msg("netlink socket: %s\n", strerror(errno));
	mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one));
	nlh = genl_hdr(msg, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_REQUEST | NLM_F_ACK);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, PVPANIC_SIM_FAMILY_NAME);
	if (transact(nl, nlh, family_cb, &family) < 0 || !family)
		ksft_exit_skip("family %s not found (pvpanic_sim not loaded)\n",
			       PVPANIC_SIM_FAMILY_NAME);

	rnd_state = seed;
	printf("# seed %u, up to %ld messages or %ld s\n", seed, n, secs);
	while (sent < n && time(NULL) - start < secs) {
		size_t len = random_msg(family);
		int ret;

		if (mnl_socket_sendto(nl, msg, len) < 0)
			errors++;
		else
			sent++;
		/* Drain whatever came back, without waiting. */
		while ((ret = recv(mnl_socket_get_fd(nl), buf, sizeof(buf),
				   MSG_DONTWAIT)) > 0)
			replies++;
	}
	printf("# sent %ld messages (%ld refused by sendto), %ld replies, %ld s\n",
	       sent, errors, replies, (long)(time(NULL) - start));

	nlh = genl_hdr(msg, family, PVPANIC_SIM_CMD_GET_STATUS, NLM_F_REQUEST | NLM_F_ACK);
	if (transact(nl, nlh, status_cb, &state) < 0)
		ksft_exit_fail_msg("GET_STATUS after the fuzz: %s\n", strerror(errno));
	if (state < 0 || state > PVPANIC_SIM_RUN_STATE_MAX)
		ksft_exit_fail_msg("GET_STATUS after the fuzz: bad state %d\n", state);
	if (sent < 1000)
		ksft_exit_fail_msg("only %ld messages sent\n", sent);
	printf("# status after: %d, family still answers\n", state);
	mnl_socket_close(nl);
	if (system("rmmod pvpanic_sim"))
		ksft_exit_fail_msg("cannot unload pvpanic_sim after the fuzz\n");
	ksft_exit_pass();
}
