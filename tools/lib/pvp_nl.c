// SPDX-License-Identifier: GPL-2.0
/* A small libmnl client of the pvpanic_sim generic netlink family. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>

#include "pvp_nl.h"

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK 10
#endif

int pvp_nl_socket(struct pvp_nl *nl)
{
	int one = 1;

	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock || mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		return -1;
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;
}

int pvp_nl_open(struct pvp_nl *nl)
{
	if (pvp_nl_socket(nl) < 0)
		return -1;
	if (pvp_nl_family(nl, PVPANIC_SIM_FAMILY_NAME, PVPANIC_SIM_MCGRP_EVENTS,
			  &nl->family, &nl->mcgrp) < 0 || !nl->family) {
		errno = ENOENT;
		return -1;
	}
	return 0;
}

void pvp_nl_close(struct pvp_nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	nl->sock = NULL;
}

struct pvp_family {
	const char *group;
	__u16 *id;
	__u32 *grp;
};

static void family_groups(const struct nlattr *nested, struct pvp_family *f)
{
	const struct nlattr *grp, *a;

	mnl_attr_for_each_nested(grp, nested) {
		const char *name = NULL;
		__u32 id = 0;

		mnl_attr_for_each_nested(a, grp) {
			if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_NAME)
				name = mnl_attr_get_str(a);
			else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GRP_ID)
				id = mnl_attr_get_u32(a);
		}
		if (name && f->group && !strcmp(name, f->group))
			*f->grp = id;
	}
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pvp_family *f = data;
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID)
			*f->id = mnl_attr_get_u16(a);
		else if (mnl_attr_get_type(a) == CTRL_ATTR_MCAST_GROUPS)
			family_groups(a, f);
	}
	return MNL_CB_OK;
}

int pvp_nl_family(struct pvp_nl *nl, const char *name, const char *group,
		  __u16 *id, __u32 *grp)
{
	__u32 unused;
	struct pvp_family f = { group, id, grp ? grp : &unused };
	struct nlmsghdr *nlh;

	*id = 0;
	*f.grp = 0;
	nlh = pvp_nl_msg(nl, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	return pvp_nl_transact(nl, nlh, family_cb, &f);
}

struct nlmsghdr *pvp_nl_msg(struct pvp_nl *nl, __u16 type, __u8 cmd,
			    __u8 version)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(nl->buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = type;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct nlmsghdr *pvp_nl_cmd(struct pvp_nl *nl, __u8 cmd)
{
	return pvp_nl_msg(nl, nl->family, cmd, PVPANIC_SIM_FAMILY_VERSION);
}

/* The error and its extack message, if any, into the socket's record. */
static int error_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	struct pvp_nl *nl = data;
	const struct nlattr *a;
	unsigned int off;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		nl->error = -EBADMSG;
		return MNL_CB_ERROR;
	}
	nl->error = err->error;
	if (!err->error)
		return MNL_CB_STOP;
	if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(struct nlmsghdr);
		mnl_attr_for_each(a, nlh, off)
			if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
				snprintf(nl->extack, sizeof(nl->extack), "%s",
					 mnl_attr_get_str(a));
	}
	return MNL_CB_ERROR;
}

struct pvp_cbs {
	struct pvp_nl *nl;
	mnl_cb_t cb;
	void *data;
};

static int data_cb(const struct nlmsghdr *nlh, void *data)
{
	struct pvp_cbs *c = data;

	return c->cb ? c->cb(nlh, c->data) : MNL_CB_OK;
}

static int ctl_error_cb(const struct nlmsghdr *nlh, void *data)
{
	return error_cb(nlh, ((struct pvp_cbs *)data)->nl);
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR] = ctl_error_cb,
};

int pvp_nl_transact(struct pvp_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		    void *data)
{
	__u32 portid = mnl_socket_get_portid(nl->sock);
	struct pvp_cbs c = { nl, cb, data };
	int ret;

	nl->error = 0;
	nl->extack[0] = '\0';
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = ++nl->seq;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		ret = mnl_socket_recvfrom(nl->sock, nl->buf, sizeof(nl->buf));
		if (ret < 0)
			return -errno;
		ret = mnl_cb_run2(nl->buf, ret, nl->seq, portid, data_cb, &c,
				  ctl_cbs, NLMSG_MIN_TYPE);
	} while (ret > 0);
	if (ret < 0)
		return nl->error ?: -errno;
	return 0;
}

static __u64 attr_uint(const struct nlattr *a)
{
	switch (mnl_attr_get_payload_len(a)) {
	case 1:
		return mnl_attr_get_u8(a);
	case 2:
		return mnl_attr_get_u16(a);
	case 4:
		return mnl_attr_get_u32(a);
	case 8:
		return mnl_attr_get_u64(a);
	default:
		return 0;
	}
}

void pvp_nl_attrs(const struct nlmsghdr *nlh, struct pvp_nl_attrs *at)
{
	const struct nlattr *a;
	__u16 type;

	memset(at, 0, sizeof(*at));
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		type = mnl_attr_get_type(a);
		if (type > PVPANIC_SIM_A_MAX)
			continue;
		at->has[type] = true;
		at->val[type] = attr_uint(a);
	}
}

static int attrs_cb(const struct nlmsghdr *nlh, void *data)
{
	pvp_nl_attrs(nlh, data);
	return MNL_CB_OK;
}

int pvp_nl_request(struct pvp_nl *nl, struct nlmsghdr *nlh,
		   struct pvp_nl_attrs *at)
{
	if (at)
		memset(at, 0, sizeof(*at));
	return pvp_nl_transact(nl, nlh, at ? attrs_cb : NULL, at);
}
