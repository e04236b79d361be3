// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim: an in-kernel model of QEMU's pvpanic device, for tests.
 *
 * It loads an SSDT describing a QEMU0001 device whose RDPT/WRPT reach an
 * OperationRegion in an OEM address space that only this module serves;
 * a write there is decoded as QEMU does and moves the QMP run state, and
 * every event is published on the "events" group of the pvpanic_sim
 * generic netlink family.  See pvpanic_sim.h for the files.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/module.h>
#include <linux/string.h>

#include "aml_tables.h"
#include "pvpanic_sim.h"
#include <pvpanic_sim_names.h>

#define PVP_RING_MIN		16
#define PVP_RING_MAX		65536

struct pvpanic_sim pvpanic_sim = {
	.lock = __RAW_SPIN_LOCK_UNLOCKED(pvpanic_sim.lock),
	.qemu = 702,
	.run_state = PVPANIC_SIM_RUN_STATE_RUNNING,
	.panic_action = PVPANIC_SIM_PANIC_ACTION_SHUTDOWN,
};

/* Its description, naming each variant, is generated with the tables. */
static char *variant = "default";
module_param(variant, charp, 0444);

static char *qemu = "7.2";
module_param(qemu, charp, 0444);
MODULE_PARM_DESC(qemu, "The QEMU whose device to follow: 7.2 (default) or 10.0 (bit 2, PVSHUTDOWN)");

static int capability = -1;
module_param(capability, int, 0444);
MODULE_PARM_DESC(capability, "Value a read of the port returns, 0..255 (QEMU's events property; default 3 with QEMU 7.2, 7 with 10.0)");

/* Room for the events recorded while the delivery work waits for a CPU. */
static uint ring_size = 1024;
module_param(ring_size, uint, 0444);
MODULE_PARM_DESC(ring_size, "Events held for delivery, 16..65536 (default 1024); more are counted lost");

static char *panic_action = "shutdown";
module_param(panic_action, charp, 0444);
MODULE_PARM_DESC(panic_action, "Action on a guest panic: pause, shutdown (default), exit-failure, none");

static int __init pvp_parse_params(struct pvpanic_sim *sim)
{
	int ret;

	ret = pvpanic_sim_ssdt_select(variant);
	if (ret)
		return ret;
	if (!strcmp(qemu, "7.2")) {
		sim->qemu = 702;
	} else if (!strcmp(qemu, "10.0") || !strcmp(qemu, "10")) {
		sim->qemu = 1000;
	} else {
		pr_err("unknown qemu=%s: 7.2 or 10.0\n", qemu);
		return -EINVAL;
	}
	if (capability > 0xff || capability < -1) {
		pr_err("capability=%d out of range 0..255\n", capability);
		return -EINVAL;
	}
	if (capability < 0)	/* QEMU's default for its events property */
		capability = sim->qemu >= 1000 ? 7 : 3;
	sim->capability = capability;
	if (ring_size < PVP_RING_MIN || ring_size > PVP_RING_MAX) {
		pr_err("ring_size=%u out of range %u..%u\n", ring_size,
		       PVP_RING_MIN, PVP_RING_MAX);
		return -EINVAL;
	}
	ret = pvpanic_sim_panic_action_parse(panic_action);
	if (ret < 0) {
		pr_err("unknown panic_action=%s\n", panic_action);
		return -EINVAL;
	}
	sim->panic_action = ret;
	return 0;
}

static int __init pvp_init(void)
{
	int ret;

	if (acpi_disabled)
		return -ENODEV;
	ret = pvp_parse_params(&pvpanic_sim);
	if (ret)
		return ret;
	ret = pvpanic_sim_events_init(ring_size);
	if (ret)
		return ret;
	ret = pvpanic_sim_nl_init();
	if (ret)
		goto err_events;
	ret = pvpanic_sim_port_init();
	if (ret)
		goto err_nl;
	ret = pvpanic_sim_ssdt_load();
	if (ret)
		goto err_port;
	pvpanic_sim_debugfs_init();
	pr_info("loaded SSDT variant %s as QEMU %s, capability %#x, panic action %s\n",
		pvpanic_sim.table->name, qemu, capability, panic_action);
	return 0;

err_port:
	pvpanic_sim_port_exit();
err_nl:
	pvpanic_sim_events_stop();
	pvpanic_sim_nl_exit();
err_events:
	pvpanic_sim_events_exit();
	return ret;
}

/* The devices first, then the table, then the handler their AML reaches. */
static void __exit pvp_exit(void)
{
	pvpanic_sim_events_stop();
	pvpanic_sim_debugfs_exit();
	pvpanic_sim_ssdt_unload();
	pvpanic_sim_port_exit();
	pvpanic_sim_nl_exit();
	pvpanic_sim_events_exit();
}

module_init(pvp_init);
module_exit(pvp_exit);

MODULE_DESCRIPTION("Model of QEMU's pvpanic device behind an ACPI OEM region");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
