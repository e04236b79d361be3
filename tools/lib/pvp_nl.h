/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small libmnl client of the pvpanic_sim generic netlink family, shared
 * by pvpanic-monitor and the selftests: a socket with extended ACKs, the
 * family and group ids from the controller, one request and its replies,
 * the reply's attributes and the kernel's error and extack message.
 */
#ifndef _PVP_NL_H
#define _PVP_NL_H

#include <stdbool.h>

#include <libmnl/libmnl.h>
#include <linux/types.h>

#include <linux/pvpanic_sim.h>

struct pvp_nl {
	struct mnl_socket *sock;
	__u16 family;		/* pvpanic_sim's id, after pvp_nl_open() */
	__u32 mcgrp;		/* its "events" group (0: none) */
	__u32 seq;
	/* The kernel's answer to the last request: -errno (0: none or ACK)
	 * and its extack message.
	 */
	int error;
	char extack[256];
	char buf[32768];	/* requests are built, replies read, here */
};

/* A reply's attributes, copied: the buffer is reused for the ACK. */
struct pvp_nl_attrs {
	bool has[PVPANIC_SIM_A_MAX + 1];
	__u64 val[PVPANIC_SIM_A_MAX + 1];
};

/* A bound generic netlink socket with extended ACKs; -1, errno set. */
int pvp_nl_socket(struct pvp_nl *nl);
/* pvp_nl_socket(), then pvpanic_sim's ids: -1 (errno ENOENT: not loaded). */
int pvp_nl_open(struct pvp_nl *nl);
void pvp_nl_close(struct pvp_nl *nl);

/* The controller's ids for family @name and its group @group. */
int pvp_nl_family(struct pvp_nl *nl, const char *name, const char *group,
		  __u16 *id, __u32 *grp);

/* A request header in nl->buf; add attributes with mnl_attr_put_*(). */
struct nlmsghdr *pvp_nl_msg(struct pvp_nl *nl, __u16 type, __u8 cmd,
			    __u8 version);
/* pvp_nl_msg() for a pvpanic_sim command. */
struct nlmsghdr *pvp_nl_cmd(struct pvp_nl *nl, __u8 cmd);

/*
 * Send @nlh with NLM_F_REQUEST | NLM_F_ACK and run @cb on each reply until
 * the ACK.  0 when acknowledged, else -errno: the kernel's refusal (then
 * also in nl->error, with its message in nl->extack) or the socket's.
 */
int pvp_nl_transact(struct pvp_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data);
/* pvp_nl_transact() keeping the reply's attributes in @at (may be NULL). */
int pvp_nl_request(struct pvp_nl *nl, struct nlmsghdr *nlh,
		   struct pvp_nl_attrs *at);

/* The attributes of a pvpanic_sim message (a reply or an event). */
void pvp_nl_attrs(const struct nlmsghdr *nlh, struct pvp_nl_attrs *at);

#endif /* _PVP_NL_H */
