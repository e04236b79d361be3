// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic-monitor: talk to the pvpanic_sim generic netlink family and print
 * what QEMU's QMP would print: events as QMP event lines, status as the
 * return value of query-status.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/types.h>

#include <linux/pvpanic_sim.h>
#include <pvpanic_sim_names.h>

#include "pvp_nl.h"

#define EXIT_REFUSED	1
#define EXIT_USAGE	2

static void print_help(FILE *f)
{
	fprintf(f,
		"Usage: pvpanic-monitor COMMAND [OPTIONS]\n"
		"\n"
		"Talk to the pvpanic_sim kernel module (generic netlink family\n"
		"\"" PVPANIC_SIM_FAMILY_NAME "\") the way a QMP client talks to QEMU.\n"
		"\n"
		"Commands:\n"
		"  events [--count N] [--timeout MS] [--extra [--received]]\n"
		"         [--rcvbuf BYTES]\n"
		"        subscribe to the \"events\" group (needs CAP_NET_ADMIN) and\n"
		"        print each event as one QMP JSON line; \"subscribed\" is\n"
		"        printed to stderr once listening. Stops after N events or\n"
		"        when MS milliseconds pass; exits 1 when the module is\n"
		"        unloaded. --extra adds a \"pvpanic\" key\n"
		"        (seq, device, value, status after the event, lost);\n"
		"        --received adds when the monitor received it. --rcvbuf sets the socket's\n"
		"        receive buffer (default 4 MiB); events the socket drops\n"
		"        when it overruns are counted on stderr.\n"
		"  status                print query-status's return value\n"
		"  config                print capability, panic action, counters\n"
		"  set [--capability N] [--panic-action pause|shutdown|exit-failure|none]\n"
		"  stop | cont | system_reset\n"
		"                        the QMP commands (need CAP_NET_ADMIN)\n"
		"  -h, --help            this text\n"
		"\n"
		"Exit status: 0 success; 1 request refused or failed (the kernel's\n"
		"message is printed), fewer events than --count before the\n"
		"timeout, or the module unloaded; 2 usage error.\n");
}

struct set_args {
	long cap;
	long act;
};

struct ev_ctx {
	__u16 family;		/* ours: its removal ends the stream */
	bool gone;		/* the controller announced that removal */
	bool extra;
	bool received;		/* --received: add when it arrived */
	long count;
	long seen;
	struct timespec rx;	/* CLOCK_REALTIME when the datagram arrived */
	bool have_last;		/* last_seq/last_lost hold the previous event */
	__u64 last_seq;
	__u64 last_lost;
	__u64 dropped;		/* events this socket missed (overruns) */
};

struct ev_args {
	struct ev_ctx ctx;
	long timeout;
	long rcvbuf;
};

/* What a command's options say. */
struct cmd_args {
	struct set_args set;
	struct ev_args events;
	__u8 nl_cmd;
};

/* A request failed with -@err: say why, with the kernel's message. */
static int refused(const struct pvp_nl *nl, int err)
{
	fprintf(stderr, "pvpanic-monitor: %s%s%s\n", strerror(-err),
		nl->extack[0] ? ": " : "", nl->extack);
	return EXIT_REFUSED;
}

/*
 * A command without attributes, the reply's attributes into @at (may be
 * NULL): 0, or EXIT_REFUSED once the refusal is printed.
 */
static int query(struct pvp_nl *nl, __u8 cmd, struct pvp_nl_attrs *at)
{
	int ret = pvp_nl_request(nl, pvp_nl_cmd(nl, cmd), at);

	return ret < 0 ? refused(nl, ret) : 0;
}

static int cmd_status(struct pvp_nl *nl, struct cmd_args *a)
{
	struct pvp_nl_attrs at;

	if (query(nl, PVPANIC_SIM_CMD_GET_STATUS, &at))
		return EXIT_REFUSED;
	if (!at.has[PVPANIC_SIM_A_STATUS] || !at.has[PVPANIC_SIM_A_RUNNING]) {
		fprintf(stderr, "pvpanic-monitor: incomplete status reply\n");
		return EXIT_REFUSED;
	}
	/* As query-status: QEMU 10.0 dropped "singlestep", so does the model. */
	printf("{\"status\": \"%s\", ",
	       pvpanic_sim_run_state_str(at.val[PVPANIC_SIM_A_STATUS]));
	if (at.has[PVPANIC_SIM_A_SINGLESTEP])
		printf("\"singlestep\": %s, ",
		       at.val[PVPANIC_SIM_A_SINGLESTEP] ? "true" : "false");
	printf("\"running\": %s}\n",
	       at.val[PVPANIC_SIM_A_RUNNING] ? "true" : "false");
	return 0;
}

static int cmd_config(struct pvp_nl *nl, struct cmd_args *a)
{
	struct pvp_nl_attrs at;

	if (query(nl, PVPANIC_SIM_CMD_GET_CONFIG, &at))
		return EXIT_REFUSED;
	if (!at.has[PVPANIC_SIM_A_CAPABILITY] ||
	    !at.has[PVPANIC_SIM_A_PANIC_ACTION] || !at.has[PVPANIC_SIM_A_SEQ] ||
	    !at.has[PVPANIC_SIM_A_LOST]) {
		fprintf(stderr, "pvpanic-monitor: incomplete config reply\n");
		return EXIT_REFUSED;
	}
	printf("{\"capability\": %llu, ", at.val[PVPANIC_SIM_A_CAPABILITY]);
	printf("\"panic-action\": \"%s\", ",
	       pvpanic_sim_panic_action_str(at.val[PVPANIC_SIM_A_PANIC_ACTION]));
	printf("\"seq\": %llu, \"lost\": %llu", at.val[PVPANIC_SIM_A_SEQ],
	       at.val[PVPANIC_SIM_A_LOST]);
	if (at.has[PVPANIC_SIM_A_QEMU_VERSION])
		printf(", \"qemu\": \"%llu.%llu\"",
		       at.val[PVPANIC_SIM_A_QEMU_VERSION] / 100,
		       at.val[PVPANIC_SIM_A_QEMU_VERSION] % 100);
	printf("}\n");
	return 0;
}

/* --@opt's value @s, in min..max; says why when it is not. */
static int parse_num(const char *opt, const char *s, long min, long max,
		     long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 0);
	if (errno || !*s || *end || v < min || v > max) {
		fprintf(stderr, "pvpanic-monitor: bad --%s %s\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* A command's --help (exit 0) or an option getopt refused (usage). */
static int opt_end(int c)
{
	if (c != 'h')
		return EXIT_USAGE;
	print_help(stdout);
	return 0;
}

/* Returns -1 on success, else the exit code. */
static int parse_set(int argc, char **argv, struct cmd_args *a)
{
	struct set_args *sa = &a->set;
	static const struct option opts[] = {
		{ "capability", required_argument, NULL, 'c' },
		{ "panic-action", required_argument, NULL, 'a' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	long cap = -1, act = -1;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			if (parse_num("capability", optarg, 0, UINT32_MAX, &cap))
				return EXIT_USAGE;
			break;
		case 'a':
			act = pvpanic_sim_panic_action_parse(optarg);
			if (act < 0) {
				fprintf(stderr, "pvpanic-monitor: bad --panic-action %s\n", optarg);
				return EXIT_USAGE;
			}
			break;
		default:
			return opt_end(c);
		}
	}
	if (optind != argc || (cap < 0 && act < 0)) {
		fprintf(stderr, "pvpanic-monitor: set needs --capability and/or --panic-action\n");
		return EXIT_USAGE;
	}
	sa->cap = cap;
	sa->act = act;
	return -1;
}

static int cmd_set(struct pvp_nl *nl, struct cmd_args *a)
{
	struct nlmsghdr *nlh = pvp_nl_cmd(nl, PVPANIC_SIM_CMD_SET_CONFIG);
	long cap = a->set.cap, act = a->set.act;
	int ret;

	/* Range checks are the kernel's (policy), so its message is shown. */
	if (cap >= 0)
		mnl_attr_put_u32(nlh, PVPANIC_SIM_A_CAPABILITY, cap);
	if (act >= 0)
		mnl_attr_put_u32(nlh, PVPANIC_SIM_A_PANIC_ACTION, act);
	ret = pvp_nl_request(nl, nlh, NULL);
	return ret < 0 ? refused(nl, ret) : 0;
}

/*
 * Every event carries its sequence number and the model's count of events
 * it lost so far: a gap in the sequence that the model did not count is an
 * event this socket dropped when its receive buffer overran.
 */
static void account_gap(const struct pvp_nl_attrs *at, struct ev_ctx *ctx)
{
	__u64 seq, lost, gap, model;

	if (!at->has[PVPANIC_SIM_A_SEQ] || !at->has[PVPANIC_SIM_A_LOST])
		return;
	seq = at->val[PVPANIC_SIM_A_SEQ];
	lost = at->val[PVPANIC_SIM_A_LOST];
	if (ctx->have_last && seq > ctx->last_seq + 1) {
		gap = seq - ctx->last_seq - 1;
		model = lost - ctx->last_lost;
		if (gap > model) {
			ctx->dropped += gap - model;
			fprintf(stderr,
				"pvpanic-monitor: %llu events dropped by this socket before seq %llu (%llu in all)\n",
				gap - model, seq, ctx->dropped);
		}
	}
	ctx->have_last = true;
	ctx->last_seq = seq;
	ctx->last_lost = lost;
}

static void print_event(const struct pvp_nl_attrs *at, const struct ev_ctx *ctx)
{
	bool extra = ctx->extra;
	__u64 ts = at->has[PVPANIC_SIM_A_TIMESTAMP] ?
		      at->val[PVPANIC_SIM_A_TIMESTAMP] : 0;
	__u64 ev = at->val[PVPANIC_SIM_A_EVENT];

	printf("{\"timestamp\": {\"seconds\": %llu, \"microseconds\": %llu}, ",
	       ts / 1000000000, ts % 1000000000 / 1000);
	printf("\"event\": \"%s\"", pvpanic_sim_event_str(ev));
	if (at->has[PVPANIC_SIM_A_ACTION])
		printf(", \"data\": {\"action\": \"%s\"}",
		       pvpanic_sim_guest_panic_action_str(at->val[PVPANIC_SIM_A_ACTION]));
	else if (at->has[PVPANIC_SIM_A_REASON])
		printf(", \"data\": {\"guest\": %s, \"reason\": \"%s\"}",
		       at->has[PVPANIC_SIM_A_GUEST] &&
		       at->val[PVPANIC_SIM_A_GUEST] ? "true" : "false",
		       pvpanic_sim_shutdown_cause_str(at->val[PVPANIC_SIM_A_REASON]));
	if (extra) {
		printf(", \"pvpanic\": {\"seq\": %llu",
		       at->has[PVPANIC_SIM_A_SEQ] ? at->val[PVPANIC_SIM_A_SEQ] : 0);
		if (at->has[PVPANIC_SIM_A_DEVICE])
			printf(", \"device\": %llu",
			       at->val[PVPANIC_SIM_A_DEVICE]);
		else
			printf(", \"device\": null");
		if (at->has[PVPANIC_SIM_A_VALUE])
			printf(", \"value\": %llu",
			       at->val[PVPANIC_SIM_A_VALUE]);
		else
			printf(", \"value\": null");
		printf(", \"status\": \"%s\", \"lost\": %llu",
		       pvpanic_sim_run_state_str(at->has[PVPANIC_SIM_A_STATUS] ?
						 at->val[PVPANIC_SIM_A_STATUS] :
						 ULLONG_MAX),
		       at->has[PVPANIC_SIM_A_LOST] ? at->val[PVPANIC_SIM_A_LOST] : 0);
		if (ctx->received)
			printf(", \"received\": {\"seconds\": %lld, \"microseconds\": %ld}",
			       (long long)ctx->rx.tv_sec, ctx->rx.tv_nsec / 1000);
		printf("}");
	}
	printf("}\n");
	fflush(stdout);
}

/* The controller's notice that a family went away: is it ours? */
static bool family_removed(const struct nlmsghdr *nlh, __u16 family)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;

	if (g->cmd != CTRL_CMD_DELFAMILY)
		return false;
	mnl_attr_for_each(a, nlh, sizeof(*g))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID &&
		    mnl_attr_get_payload_len(a) == sizeof(__u16))
			return mnl_attr_get_u16(a) == family;
	return false;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
	struct ev_ctx *ctx = data;
	struct pvp_nl_attrs at;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)))
		return MNL_CB_OK;
	if (nlh->nlmsg_type == GENL_ID_CTRL) {
		if (!family_removed(nlh, ctx->family))
			return MNL_CB_OK;
		ctx->gone = true;
		return MNL_CB_STOP;
	}
	if (nlh->nlmsg_type != ctx->family || g->cmd != PVPANIC_SIM_CMD_EVENT)
		return MNL_CB_OK;
	pvp_nl_attrs(nlh, &at);
	if (!at.has[PVPANIC_SIM_A_EVENT])
		return MNL_CB_OK;
	account_gap(&at, ctx);
	print_event(&at, ctx);
	ctx->seen++;
	if (ctx->count >= 0 && ctx->seen >= ctx->count)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Events come in bursts: ask for room for thousands of them. */
#define DEFAULT_RCVBUF	(4L << 20)

/* Returns -1 on success, else the exit code. */
static int parse_events(int argc, char **argv, struct cmd_args *a)
{
	struct ev_args *ea = &a->events;
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "extra", no_argument, NULL, 'x' },
		{ "rcvbuf", required_argument, NULL, 'r' },
		{ "received", no_argument, NULL, 'R' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct ev_ctx ctx = { .count = -1 };
	long rcvbuf = DEFAULT_RCVBUF;
	long timeout = -1;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (parse_num("count", optarg, 1, LONG_MAX, &ctx.count))
				return EXIT_USAGE;
			break;
		case 't':
			if (parse_num("timeout", optarg, 0, INT_MAX, &timeout))
				return EXIT_USAGE;
			break;
		case 'x':
			ctx.extra = true;
			break;
		case 'R':
			ctx.received = true;
			break;
		case 'r':
			if (parse_num("rcvbuf", optarg, 1024, INT_MAX / 2, &rcvbuf))
				return EXIT_USAGE;
			break;
		default:
			return opt_end(c);
		}
	}
	if (optind != argc) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (ctx.received && !ctx.extra) {
		fprintf(stderr, "pvpanic-monitor: --received needs --extra\n");
		return EXIT_USAGE;
	}
	ea->ctx = ctx;
	ea->timeout = timeout;
	ea->rcvbuf = rcvbuf;
	return -1;
}

/* Is the family @id still registered?  Asked on a socket of its own. */
static bool family_present(__u16 id)
{
	struct pvp_nl *nl = calloc(1, sizeof(*nl));
	bool ret = false;
	__u16 now;

	if (!nl)
		return true;	/* cannot tell: assume it is */
	if (pvp_nl_socket(nl) == 0 &&
	    pvp_nl_family(nl, PVPANIC_SIM_FAMILY_NAME, NULL, &now, NULL) == 0)
		ret = now == id;
	pvp_nl_close(nl);
	free(nl);
	return ret;
}

/* The model went away: the stream ends, as a QMP connection at QEMU's exit. */
static int stream_ended(const struct ev_ctx *ctx)
{
	fprintf(stderr, "pvpanic-monitor: %s was unloaded (events received: %ld)\n",
		PVPANIC_SIM_FAMILY_NAME, ctx->seen);
	return EXIT_REFUSED;
}

static int cmd_events(struct pvp_nl *nl, struct cmd_args *a)
{
	struct ev_args *ea = &a->events;
	struct ev_ctx ctx = ea->ctx;
	long timeout = ea->timeout;
	long long deadline = 0;
	struct pollfd pfd;
	int ret, grp, buf;
	__u32 notify;
	__u16 ctrl;

	if (!nl->mcgrp) {
		fprintf(stderr, "pvpanic-monitor: no \"events\" group\n");
		return EXIT_REFUSED;
	}
	/*
	 * Unloading the model removes the family and silently drops this
	 * socket from its group: follow the controller's notices so that the
	 * stream ends then, as a QMP connection closes when QEMU exits.  Asked
	 * before joining any group: a notification arriving during a request
	 * would be taken for its reply.
	 */
	grp = 0;
	if (pvp_nl_family(nl, "nlctrl", "notify", &ctrl, &notify) == 0)
		grp = notify;
	if (!grp || mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP,
					  &grp, sizeof(grp)) < 0) {
		fprintf(stderr, "pvpanic-monitor: cannot follow the controller's notices\n");
		return EXIT_REFUSED;
	}
	ctx.family = nl->family;
	grp = nl->mcgrp;
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &grp,
				  sizeof(grp)) < 0) {
		fprintf(stderr, "pvpanic-monitor: cannot join the events group: %s\n",
			strerror(errno));
		return EXIT_REFUSED;
	}
	/* SO_RCVBUFFORCE passes net.core.rmem_max (we hold CAP_NET_ADMIN). */
	buf = ea->rcvbuf;
	if (setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUFFORCE,
		       &buf, sizeof(buf)) < 0)
		setsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_RCVBUF,
			   &buf, sizeof(buf));
	/* Removed before the notices were followed?  Ask on another socket. */
	if (!family_present(nl->family))
		return stream_ended(&ctx);
	fprintf(stderr, "subscribed\n");

	if (timeout >= 0)
		deadline = now_ms() + timeout;
	pfd.fd = mnl_socket_get_fd(nl->sock);
	pfd.events = POLLIN;
	for (;;) {
		int wait = -1;

		if (timeout >= 0) {
			long long left = deadline - now_ms();

			if (left <= 0)
				break;
			wait = left;
		}
		ret = poll(&pfd, 1, wait);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			perror("pvpanic-monitor: poll");
			return EXIT_REFUSED;
		}
		if (!ret)
			break;
		ret = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (ret < 0) {
			/* ENOBUFS: the socket overran; say so and go on. */
			fprintf(stderr, "pvpanic-monitor: recv: %s\n",
				strerror(errno));
			if (errno == ENOBUFS)
				continue;
			return EXIT_REFUSED;
		}
		clock_gettime(CLOCK_REALTIME, &ctx.rx);
		ret = mnl_cb_run(nl->buf, ret, 0, 0, event_cb, &ctx);
		if (ctx.gone)
			return stream_ended(&ctx);
		if (ret == MNL_CB_STOP)
			return 0;
	}
	if (ctx.count >= 0 && ctx.seen < ctx.count) {
		fprintf(stderr, "pvpanic-monitor: %ld of %ld events before the timeout\n",
			ctx.seen, ctx.count);
		return EXIT_REFUSED;
	}
	return 0;
}

static int cmd_simple(struct pvp_nl *nl, struct cmd_args *a)
{
	return query(nl, a->nl_cmd, NULL);
}

struct command {
	const char *name;
	/* Its options (NULL: none): -1 when they parse, else the exit code. */
	int (*parse)(int argc, char **argv, struct cmd_args *a);
	int (*run)(struct pvp_nl *nl, struct cmd_args *a);
	__u8 nl_cmd;		/* cmd_simple's netlink command */
};

static const struct command commands[] = {
	{ .name = "events", .parse = parse_events, .run = cmd_events },
	{ .name = "status", .run = cmd_status },
	{ .name = "config", .run = cmd_config },
	{ .name = "set", .parse = parse_set, .run = cmd_set },
	{ .name = "stop", .run = cmd_simple, .nl_cmd = PVPANIC_SIM_CMD_STOP },
	{ .name = "cont", .run = cmd_simple, .nl_cmd = PVPANIC_SIM_CMD_CONT },
	{ .name = "system_reset", .run = cmd_simple,
	  .nl_cmd = PVPANIC_SIM_CMD_SYSTEM_RESET },
};

static bool is_help(const char *arg)
{
	return !strcmp(arg, "-h") || !strcmp(arg, "--help") ||
	       !strcmp(arg, "help");
}

int main(int argc, char **argv)
{
	const struct command *c = NULL;
	struct cmd_args args = { };
	struct pvp_nl *nl;
	size_t i;
	int ret;

	if (argc < 2) {
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (is_help(argv[1])) {
		print_help(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			c = &commands[i];
	if (!c) {
		fprintf(stderr, "pvpanic-monitor: unknown command %s\n", argv[1]);
		print_help(stderr);
		return EXIT_USAGE;
	}
	if (c->parse) {
		/* getopt sees "CMD --opt ...". */
		ret = c->parse(argc - 1, argv + 1, &args);
		if (ret >= 0)
			return ret;
	} else if (argc == 3 && is_help(argv[2]) && strcmp(argv[2], "help")) {
		print_help(stdout);
		return 0;
	} else if (argc != 2) {
		fprintf(stderr, "pvpanic-monitor: %s takes no arguments\n", c->name);
		return EXIT_USAGE;
	}

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return EXIT_REFUSED;
	if (pvp_nl_open(nl) == 0) {
		args.nl_cmd = c->nl_cmd;
		ret = c->run(nl, &args);
	} else {
		if (errno == ENOENT)
			fprintf(stderr,
				"pvpanic-monitor: family %s not found (is pvpanic_sim loaded?)\n",
				PVPANIC_SIM_FAMILY_NAME);
		else
			perror("pvpanic-monitor: netlink socket");
		ret = EXIT_REFUSED;
	}
	pvp_nl_close(nl);
	free(nl);
	return ret;
}
