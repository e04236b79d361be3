// SPDX-License-Identifier: ((GPL-2.0 WITH Linux-syscall-note) OR BSD-3-Clause)
/* Do not edit directly, auto-generated from: */
/*	include/uapi/linux/pvpanic_sim.yaml */
/* YNL-GEN kernel source */

#include <net/netlink.h>
#include <net/genetlink.h>

#include "genl.h"

#include <uapi/linux/pvpanic_sim.h>

/* PVPANIC_SIM_CMD_GET_STATUS - do */
const struct nla_policy pvpanic_sim_get_status_nl_policy[PVPANIC_SIM_A_PAD + 1] = {
};

/* PVPANIC_SIM_CMD_GET_CONFIG - do */
const struct nla_policy pvpanic_sim_get_config_nl_policy[PVPANIC_SIM_A_PAD + 1] = {
};

/* PVPANIC_SIM_CMD_SET_CONFIG - do */
const struct nla_policy pvpanic_sim_set_config_nl_policy[PVPANIC_SIM_A_PANIC_ACTION + 1] = {
	[PVPANIC_SIM_A_CAPABILITY] = NLA_POLICY_MAX(NLA_U32, 255),
	[PVPANIC_SIM_A_PANIC_ACTION] = NLA_POLICY_MAX(NLA_U32, 3),
};

/* PVPANIC_SIM_CMD_STOP - do */
const struct nla_policy pvpanic_sim_stop_nl_policy[PVPANIC_SIM_A_PAD + 1] = {
};

/* PVPANIC_SIM_CMD_CONT - do */
const struct nla_policy pvpanic_sim_cont_nl_policy[PVPANIC_SIM_A_PAD + 1] = {
};

/* PVPANIC_SIM_CMD_SYSTEM_RESET - do */
const struct nla_policy pvpanic_sim_system_reset_nl_policy[PVPANIC_SIM_A_PAD + 1] = {
};

/* Ops table for pvpanic_sim */
const struct genl_ops pvpanic_sim_nl_ops[6] = {
	{
		.cmd		= PVPANIC_SIM_CMD_GET_STATUS,
		.doit		= pvpanic_sim_nl_get_status_doit,
		.policy		= pvpanic_sim_get_status_nl_policy,
		.maxattr	= PVPANIC_SIM_A_PAD,
	},
	{
		.cmd		= PVPANIC_SIM_CMD_GET_CONFIG,
		.doit		= pvpanic_sim_nl_get_config_doit,
		.policy		= pvpanic_sim_get_config_nl_policy,
		.maxattr	= PVPANIC_SIM_A_PAD,
	},
	{
		.cmd		= PVPANIC_SIM_CMD_SET_CONFIG,
		.doit		= pvpanic_sim_nl_set_config_doit,
		.policy		= pvpanic_sim_set_config_nl_policy,
		.maxattr	= PVPANIC_SIM_A_PANIC_ACTION,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PVPANIC_SIM_CMD_STOP,
		.doit		= pvpanic_sim_nl_stop_doit,
		.policy		= pvpanic_sim_stop_nl_policy,
		.maxattr	= PVPANIC_SIM_A_PAD,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PVPANIC_SIM_CMD_CONT,
		.doit		= pvpanic_sim_nl_cont_doit,
		.policy		= pvpanic_sim_cont_nl_policy,
		.maxattr	= PVPANIC_SIM_A_PAD,
		.flags		= GENL_ADMIN_PERM,
	},
	{
		.cmd		= PVPANIC_SIM_CMD_SYSTEM_RESET,
		.doit		= pvpanic_sim_nl_system_reset_doit,
		.policy		= pvpanic_sim_system_reset_nl_policy,
		.maxattr	= PVPANIC_SIM_A_PAD,
		.flags		= GENL_ADMIN_PERM,
	},
};

static const struct genl_multicast_group pvpanic_sim_nl_mcgrps[] = {
	[PVPANIC_SIM_NLGRP_EVENTS] = { "events", },
};
