// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim generic netlink family: QMP's query-status, stop, cont,
 * system_reset and the panic action, plus the "events" multicast group.
 * Described by include/uapi/linux/pvpanic_sim.yaml; its policies and ops
 * are generated from it into genl.[ch] (scripts/ynl-gen.sh).
 */

#include <linux/capability.h>
#include <net/genetlink.h>

#include "pvpanic_sim.h"
#include "genl.h"

static struct genl_family pvp_nl_family;

static struct sk_buff *pvp_nl_reply_new(struct genl_info *info, u8 cmd,
					void **hdr)
{
	struct sk_buff *msg;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		goto err;
	*hdr = genlmsg_put_reply(msg, info, &pvp_nl_family, 0, cmd);
	if (!*hdr) {
		nlmsg_free(msg);
		goto err;
	}
	return msg;
err:
	NL_SET_ERR_MSG(info->extack, "cannot allocate the reply");
	return NULL;
}

/* Send a reply built by pvp_nl_reply_new(), or drop it if it was full. */
static int pvp_nl_reply_send(struct sk_buff *msg, void *hdr,
			     struct genl_info *info, bool full)
{
	if (full) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack, "reply does not fit");
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int pvpanic_sim_nl_get_status_doit(struct sk_buff *skb, struct genl_info *info)
{
	u32 status = pvpanic_sim_get_status();
	struct sk_buff *msg;
	void *hdr;
	bool full;

	msg = pvp_nl_reply_new(info, PVPANIC_SIM_CMD_GET_STATUS, &hdr);
	if (!msg)
		return -ENOMEM;
	/* QEMU 10.0's query-status has no "singlestep" any more. */
	full = nla_put_u32(msg, PVPANIC_SIM_A_STATUS, status) ||
	       nla_put_u8(msg, PVPANIC_SIM_A_RUNNING,
			  status == PVPANIC_SIM_RUN_STATE_RUNNING) ||
	       (pvpanic_sim.qemu < 1000 &&
		nla_put_u8(msg, PVPANIC_SIM_A_SINGLESTEP, 0));
	return pvp_nl_reply_send(msg, hdr, info, full);
}

int pvpanic_sim_nl_get_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct pvpanic_sim_config cfg;
	struct sk_buff *msg;
	void *hdr;
	bool full;

	pvpanic_sim_get_config(&cfg);
	msg = pvp_nl_reply_new(info, PVPANIC_SIM_CMD_GET_CONFIG, &hdr);
	if (!msg)
		return -ENOMEM;
	full = nla_put_u32(msg, PVPANIC_SIM_A_CAPABILITY, cfg.capability) ||
	       nla_put_u32(msg, PVPANIC_SIM_A_PANIC_ACTION, cfg.panic_action) ||
	       nla_put_u64_64bit(msg, PVPANIC_SIM_A_SEQ, cfg.seq,
				 PVPANIC_SIM_A_PAD) ||
	       nla_put_u64_64bit(msg, PVPANIC_SIM_A_LOST, cfg.lost,
				 PVPANIC_SIM_A_PAD) ||
	       nla_put_u32(msg, PVPANIC_SIM_A_QEMU_VERSION, cfg.qemu);
	return pvp_nl_reply_send(msg, hdr, info, full);
}

int pvpanic_sim_nl_set_config_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *cap_attr = info->attrs[PVPANIC_SIM_A_CAPABILITY];
	struct nlattr *act_attr = info->attrs[PVPANIC_SIM_A_PANIC_ACTION];
	u32 cap, act;

	if (!cap_attr && !act_attr) {
		NL_SET_ERR_MSG(info->extack,
			       "nothing to set: give capability and/or panic-action");
		return -EINVAL;
	}
	if (cap_attr)
		cap = nla_get_u32(cap_attr);
	if (act_attr)
		act = nla_get_u32(act_attr);
	pvpanic_sim_set_config(cap_attr ? &cap : NULL, act_attr ? &act : NULL);
	return 0;
}

int pvpanic_sim_nl_stop_doit(struct sk_buff *skb, struct genl_info *info)
{
	pvpanic_sim_stop();
	return 0;
}

int pvpanic_sim_nl_cont_doit(struct sk_buff *skb, struct genl_info *info)
{
	return pvpanic_sim_cont(info->extack);
}

int pvpanic_sim_nl_system_reset_doit(struct sk_buff *skb,
				     struct genl_info *info)
{
	pvpanic_sim_system_reset();
	return 0;
}

/*
 * The family and its groups stay here: ynl-gen-c.py emits no struct
 * genl_family for genetlink-legacy, and its group table (static in genl.c)
 * has no .flags.  Binding to "events" needs CAP_NET_ADMIN.
 */
static const struct genl_multicast_group pvp_nl_mcgrps[] = {
	[PVPANIC_SIM_NLGRP_EVENTS] = {
		.name = PVPANIC_SIM_MCGRP_EVENTS,
		.flags = GENL_MCAST_CAP_NET_ADMIN,
	},
};

static struct genl_family pvp_nl_family __ro_after_init = {
	.name = PVPANIC_SIM_FAMILY_NAME,
	.version = PVPANIC_SIM_FAMILY_VERSION,
	.module = THIS_MODULE,
	.ops = pvpanic_sim_nl_ops,
	.n_ops = ARRAY_SIZE(pvpanic_sim_nl_ops),
	/* .resv_start_op 0: header checks and policies on every command */
	.mcgrps = pvp_nl_mcgrps,
	.n_mcgrps = ARRAY_SIZE(pvp_nl_mcgrps),
};

bool pvpanic_sim_nl_has_listeners(void)
{
	return genl_has_listeners(&pvp_nl_family, &init_net,
				  PVPANIC_SIM_NLGRP_EVENTS);
}

/* Every attribute an event may carry (see pvpanic_sim_nl_send_event). */
static size_t pvp_nl_event_size(void)
{
	return nla_total_size(sizeof(u32)) +		/* EVENT */
	       nla_total_size(sizeof(u32)) +		/* STATUS */
	       nla_total_size_64bit(sizeof(u64)) * 3 +	/* SEQ, TIMESTAMP, LOST */
	       nla_total_size(sizeof(u32)) +		/* ACTION or REASON */
	       nla_total_size(sizeof(u8)) +		/* GUEST */
	       nla_total_size(sizeof(u32)) +		/* DEVICE */
	       nla_total_size(sizeof(u8));		/* VALUE */
}

void pvpanic_sim_nl_send_event(const struct pvpanic_sim_event_rec *ev)
{
	struct sk_buff *msg;
	void *hdr;

	/*
	 * The exact size, not NLMSG_GOODSIZE: a listener's receive buffer is
	 * charged the skb's truesize, and a page per event would fill it
	 * after a few dozen events.
	 */
	msg = genlmsg_new(pvp_nl_event_size(), GFP_KERNEL);
	if (!msg)
		return;
	hdr = genlmsg_put(msg, 0, 0, &pvp_nl_family, 0, PVPANIC_SIM_CMD_EVENT);
	if (!hdr)
		goto err;

	if (nla_put_u32(msg, PVPANIC_SIM_A_EVENT, ev->event) ||
	    nla_put_u32(msg, PVPANIC_SIM_A_STATUS, ev->status) ||
	    nla_put_u64_64bit(msg, PVPANIC_SIM_A_SEQ, ev->seq,
			      PVPANIC_SIM_A_PAD) ||
	    nla_put_u64_64bit(msg, PVPANIC_SIM_A_TIMESTAMP, ev->timestamp_ns,
			      PVPANIC_SIM_A_PAD) ||
	    nla_put_u64_64bit(msg, PVPANIC_SIM_A_LOST, ev->lost,
			      PVPANIC_SIM_A_PAD))
		goto err;

	switch (ev->event) {
	case PVPANIC_SIM_EVENT_GUEST_PANICKED:
	case PVPANIC_SIM_EVENT_GUEST_CRASHLOADED:
		if (nla_put_u32(msg, PVPANIC_SIM_A_ACTION, ev->action))
			goto err;
		break;
	case PVPANIC_SIM_EVENT_SHUTDOWN:
	case PVPANIC_SIM_EVENT_RESET:
		if (nla_put_u8(msg, PVPANIC_SIM_A_GUEST, ev->guest) ||
		    nla_put_u32(msg, PVPANIC_SIM_A_REASON, ev->reason))
			goto err;
		break;
	default:
		break;
	}

	if (ev->device != PVPANIC_SIM_NO_DEVICE &&
	    (nla_put_u32(msg, PVPANIC_SIM_A_DEVICE, ev->device) ||
	     nla_put_u8(msg, PVPANIC_SIM_A_VALUE, ev->value)))
		goto err;

	genlmsg_end(msg, hdr);
	genlmsg_multicast(&pvp_nl_family, msg, 0, PVPANIC_SIM_NLGRP_EVENTS,
			  GFP_KERNEL);
	return;
err:
	nlmsg_free(msg);
}

int pvpanic_sim_nl_init(void)
{
	return genl_register_family(&pvp_nl_family);
}

void pvpanic_sim_nl_exit(void)
{
	genl_unregister_family(&pvp_nl_family);
}
