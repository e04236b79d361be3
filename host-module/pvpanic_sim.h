/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic_sim: internal interfaces between the device model
 * (model.c) and its generic netlink family (netlink.c).
 */
#ifndef _PVPANIC_SIM_H
#define _PVPANIC_SIM_H

#include <linux/types.h>
#include <linux/netlink.h>

struct dentry;
#include <uapi/linux/pvpanic_sim.h>

#define PVPANIC_SIM_NO_DEVICE	U32_MAX

/* One recorded QMP event, as delivered on the "events" group. */
struct pvpanic_sim_event_rec {
	u64 seq;
	u64 timestamp_ns;
	u64 lost;
	u32 device;		/* PVPANIC_SIM_NO_DEVICE for control commands */
	u8 event;		/* enum pvpanic_sim_event */
	u8 action;		/* enum pvpanic_sim_guest_panic_action */
	u8 reason;		/* enum pvpanic_sim_shutdown_cause */
	u8 guest;
	u8 status;		/* enum pvpanic_sim_run_state, after the event */
	u8 value;		/* raw byte written to the port */
};

struct pvpanic_sim_status {
	u32 status;
	bool running;
};

struct pvpanic_sim_config {
	u32 capability;
	u32 panic_action;
	u64 seq;		/* last sequence number assigned */
	u64 lost;
};

/* Model (model.c), callable from process context. */
void pvpanic_sim_get_status(struct pvpanic_sim_status *st);
void pvpanic_sim_get_config(struct pvpanic_sim_config *cfg);
void pvpanic_sim_set_config(const u32 *capability, const u32 *panic_action);
void pvpanic_sim_stop(void);
int pvpanic_sim_cont(struct netlink_ext_ack *extack);
void pvpanic_sim_system_reset(void);

/* Test helpers (amltest.c): debugfs eval and aml_busy. */
void pvpanic_sim_amltest_init(struct dentry *dir);
void pvpanic_sim_amltest_exit(void);

/* Netlink (netlink.c). */
int pvpanic_sim_nl_init(void);
void pvpanic_sim_nl_exit(void);
bool pvpanic_sim_nl_has_listeners(void);
void pvpanic_sim_nl_send_event(const struct pvpanic_sim_event_rec *ev);

#endif /* _PVPANIC_SIM_H */
