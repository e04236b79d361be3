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

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/pvpanic_sim.h>

#include "../kselftest.h"
#include "pvp_nl.h"
#include "sim_mod.h"

static char buf[32768];
static char msg[4096];
static unsigned int rnd_state;

static unsigned int rnd(unsigned int n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return n ? (rnd_state >> 8) % n : 0;
}

/* A random message: any command, random attributes, sometimes broken. */
static size_t random_msg(int family)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int i, n;

	nlh = mnl_nlmsg_put_header(msg);
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | (rnd(2) ? NLM_F_ACK : 0) |
			   (rnd(8) ? 0 : NLM_F_DUMP);
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = rnd(12);
	g->version = rnd(4);
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

/* A new socket's GET_STATUS: the run state, or -1. */
static int status_after(void)
{
	struct pvp_nl *nl = calloc(1, sizeof(*nl));
	struct pvp_nl_attrs at;
	int state = -1;

	if (!nl)
		return -1;
	if (!pvp_nl_open(nl) &&
	    !pvp_nl_request(nl, pvp_nl_cmd(nl, PVPANIC_SIM_CMD_GET_STATUS), &at) &&
	    at.has[PVPANIC_SIM_A_STATUS])
		state = at.val[PVPANIC_SIM_A_STATUS];
	pvp_nl_close(nl);
	free(nl);
	return state;
}

int main(void)
{
	long n = getenv("PVP_FUZZ_N") ? atol(getenv("PVP_FUZZ_N")) : 100000;
	long secs = getenv("PVP_FUZZ_SECONDS") ? atol(getenv("PVP_FUZZ_SECONDS")) : 120;
	unsigned int seed = getenv("PVP_FUZZ_SEED") ? atoi(getenv("PVP_FUZZ_SEED")) : time(NULL);
	long sent = 0, errors = 0, replies = 0;
	static struct pvp_nl nl;
	time_t start = time(NULL);
	int state;

	if (geteuid())
		ksft_exit_skip("needs root, to reach the admin commands\n");
	if (sim_load(""))
		ksft_exit_fail_msg("cannot load pvpanic_sim: %s\n", strerror(errno));
	if (pvp_nl_open(&nl))
		ksft_exit_fail_msg("family %s: %s\n", PVPANIC_SIM_FAMILY_NAME,
				   strerror(errno));

	rnd_state = seed;
	printf("# seed %u, up to %ld messages or %ld s\n", seed, n, secs);
	while (sent < n && time(NULL) - start < secs) {
		size_t len = random_msg(nl.family);
		int ret;

		if (mnl_socket_sendto(nl.sock, msg, len) < 0)
			errors++;
		else
			sent++;
		/* Drain whatever came back, without waiting. */
		while ((ret = recv(mnl_socket_get_fd(nl.sock), buf, sizeof(buf),
				   MSG_DONTWAIT)) > 0)
			replies++;
	}
	printf("# sent %ld messages (%ld refused by sendto), %ld replies, %ld s\n",
	       sent, errors, replies, (long)(time(NULL) - start));
	pvp_nl_close(&nl);

	state = status_after();
	if (state < 0 || state > PVPANIC_SIM_RUN_STATE_MAX)
		ksft_exit_fail_msg("GET_STATUS after the fuzz: no valid state (%d)\n",
				   state);
	if (sent < 1000)
		ksft_exit_fail_msg("only %ld messages sent\n", sent);
	printf("# status after: %d, family still answers\n", state);
	if (sim_unload())
		ksft_exit_fail_msg("cannot unload pvpanic_sim after the fuzz\n");
	ksft_exit_pass();
}
