/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic_sim: an in-kernel model of QEMU's pvpanic device, behind an ACPI
 * table of ours.  One file per concern:
 *
 *   main.c      parameters, load and unload
 *   ssdt.c      the SSDT variants and the devices enumerated from them
 *   port.c      the OEM address space: the device's registers
 *   runstate.c  QEMU's reaction to an event and the QMP run state
 *   events.c    the event ring, its delivery, the console in a panic
 *   netlink.c   the generic netlink family (genl.c: generated policies)
 *   debugfs.c   test files: the model's methods, hold, pending
 *   amltest.c   test files that reach any firmware: eval, aml_busy
 */
#ifndef _PVPANIC_SIM_H
#define _PVPANIC_SIM_H

#include <linux/netlink.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <uapi/linux/pvpanic_sim.h>

struct dentry;

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
	u32 qemu;		/* major * 100 + minor: 702, 1000 */
	u64 seq;		/* last sequence number assigned */
	u64 lost;
};

/*
 * One lock for the run state and the event ring: the port handler takes it
 * once, with a bounded trylock (it may run in panic context, where a
 * stopped CPU may hold it); nothing under it sleeps or allocates.
 */
extern raw_spinlock_t pvpanic_sim_lock;

/* ssdt.c */
int pvpanic_sim_ssdt_select(const char *variant);
const char *pvpanic_sim_ssdt_name(void);
unsigned int pvpanic_sim_nr_devices(void);
const char *pvpanic_sim_device_path(unsigned int device);
int pvpanic_sim_ssdt_load(void);
void pvpanic_sim_ssdt_unload(void);

/* port.c */
int pvpanic_sim_port_init(void);
void pvpanic_sim_port_exit(void);
u32 pvpanic_sim_capability(void);
void pvpanic_sim_set_capability(u32 capability);

/* runstate.c; the control commands run in process context */
void pvpanic_sim_set_qemu(u32 version);
u32 pvpanic_sim_qemu(void);
void pvpanic_sim_port_write(u32 device, u8 value);
void pvpanic_sim_set_panic_action(u32 action);
void pvpanic_sim_get_status(struct pvpanic_sim_status *st);
void pvpanic_sim_get_config(struct pvpanic_sim_config *cfg);
void pvpanic_sim_set_config(const u32 *capability, const u32 *panic_action);
void pvpanic_sim_stop(void);
int pvpanic_sim_cont(struct netlink_ext_ack *extack);
void pvpanic_sim_system_reset(void);

/* events.c */
int pvpanic_sim_events_init(unsigned int ring_size);
void pvpanic_sim_events_stop(void);
void pvpanic_sim_events_exit(void);
void pvpanic_sim_record(u8 event, u32 device, u8 value, u8 action,
			bool guest, u8 reason, u32 status);
void pvpanic_sim_record_lost(void);
void pvpanic_sim_events_kick(void);
void pvpanic_sim_events_hold(bool hold);
bool pvpanic_sim_events_held(void);
unsigned int pvpanic_sim_events_pending(void);
u64 pvpanic_sim_events_seq(void);
u64 pvpanic_sim_events_lost(void);

/* netlink.c */
int pvpanic_sim_nl_init(void);
void pvpanic_sim_nl_exit(void);
bool pvpanic_sim_nl_has_listeners(void);
void pvpanic_sim_nl_send_event(const struct pvpanic_sim_event_rec *ev);

/* debugfs.c, amltest.c */
void pvpanic_sim_debugfs_init(void);
void pvpanic_sim_debugfs_exit(void);
void pvpanic_sim_amltest_init(struct dentry *dir);
void pvpanic_sim_amltest_exit(void);

#endif /* _PVPANIC_SIM_H */
