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
 *
 * The model's state is struct pvpanic_sim, one instance (pvpanic_sim),
 * defined in main.c.
 */
#ifndef _PVPANIC_SIM_H
#define _PVPANIC_SIM_H

#include <linux/atomic.h>
#include <linux/irq_work.h>
#include <linux/netlink.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <uapi/linux/pvpanic_sim.h>

struct dentry;
struct pvpanic_sim_table;

#define PVPANIC_SIM_MAX_DEVICES	2	/* two_devices */
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

struct pvpanic_sim_config {
	u32 capability;
	u32 panic_action;
	u32 qemu;
	u64 seq;
	u64 lost;
};

struct pvpanic_sim {
	/* Set at load, read-only after. */
	const struct pvpanic_sim_table *table;
	u32 table_index;	/* in ACPICA's root table list */
	u32 qemu;		/* the QEMU followed: major * 100 + minor */
	struct dentry *debugfs;

	/* Lock-free (READ_ONCE/WRITE_ONCE): the port handler reads them. */
	u32 capability;		/* what a read of the port returns */
	u8 scratch[PVPANIC_SIM_MAX_DEVICES];

	/*
	 * @lock guards the run state and the event ring.  The port handler
	 * takes it once, with a bounded trylock (it may run in panic context,
	 * where a stopped CPU may hold it); nothing under it sleeps or
	 * allocates.
	 */
	raw_spinlock_t lock;
	u32 run_state;		/* enum pvpanic_sim_run_state */
	u32 panic_action;	/* enum pvpanic_sim_panic_action */
	struct pvpanic_sim_event_rec *ring;	/* allocated at load */
	unsigned int ring_size, ring_head, ring_count;
	bool hold;		/* debugfs: keep events in the ring */

	/* Lock-free counters and delivery. */
	atomic64_t seq;		/* the last event's number */
	atomic64_t lost;	/* events that found the ring full or locked */
	atomic_t sending;	/* taken from the ring, not multicast yet */
	atomic_t unknown_logged;	/* an unknown event bit was logged */
	bool closing;		/* unloading: no more delivery */
	struct irq_work kick;	/* any context -> deliver */
	struct work_struct deliver;
};

extern struct pvpanic_sim pvpanic_sim;

/* ssdt.c */
int pvpanic_sim_ssdt_select(const char *variant);
const char *pvpanic_sim_device_path(unsigned int device);
int pvpanic_sim_ssdt_load(void);
void pvpanic_sim_ssdt_unload(void);

/* port.c */
int pvpanic_sim_port_init(void);
void pvpanic_sim_port_exit(void);

/* runstate.c; the control commands run in process context */
void pvpanic_sim_port_write(u32 device, u8 value);
u32 pvpanic_sim_get_status(void);
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
			bool guest, u8 reason);
void pvpanic_sim_record_lost(void);
void pvpanic_sim_events_kick(void);
void pvpanic_sim_events_hold(bool hold);
unsigned int pvpanic_sim_events_pending(void);

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
