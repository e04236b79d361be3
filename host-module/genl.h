/* SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause) */
/* Do not edit directly, auto-generated from: */
/*	include/uapi/linux/pvpanic_sim.yaml */
/* YNL-GEN kernel header */

#ifndef _LINUX_PVPANIC_SIM_GEN_H
#define _LINUX_PVPANIC_SIM_GEN_H

#include <net/netlink.h>
#include <net/genetlink.h>

#include <uapi/linux/pvpanic_sim.h>

extern const struct nla_policy pvpanic_sim_get_status_nl_policy[PVPANIC_SIM_A_PAD + 1];

extern const struct nla_policy pvpanic_sim_get_config_nl_policy[PVPANIC_SIM_A_PAD + 1];

extern const struct nla_policy pvpanic_sim_set_config_nl_policy[PVPANIC_SIM_A_PANIC_ACTION + 1];

extern const struct nla_policy pvpanic_sim_stop_nl_policy[PVPANIC_SIM_A_PAD + 1];

extern const struct nla_policy pvpanic_sim_cont_nl_policy[PVPANIC_SIM_A_PAD + 1];

extern const struct nla_policy pvpanic_sim_system_reset_nl_policy[PVPANIC_SIM_A_PAD + 1];

/* Ops table for pvpanic_sim */
extern const struct genl_ops pvpanic_sim_nl_ops[6];

int pvpanic_sim_nl_get_status_doit(struct sk_buff *skb, struct genl_info *info);
int pvpanic_sim_nl_get_config_doit(struct sk_buff *skb, struct genl_info *info);
int pvpanic_sim_nl_set_config_doit(struct sk_buff *skb, struct genl_info *info);
int pvpanic_sim_nl_stop_doit(struct sk_buff *skb, struct genl_info *info);
int pvpanic_sim_nl_cont_doit(struct sk_buff *skb, struct genl_info *info);
int pvpanic_sim_nl_system_reset_doit(struct sk_buff *skb,
				     struct genl_info *info);

enum {
	PVPANIC_SIM_NLGRP_EVENTS,
};

#endif /* _LINUX_PVPANIC_SIM_GEN_H */
