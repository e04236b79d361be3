// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_acpi: platform driver for the QEMU0001 ACPI device.
 *
 * Probe reads the capability with RDPT, then learns what WRPT does: with a
 * SystemIO address-space handler of our own installed at the device's node,
 * WRPT is evaluated in "learn" mode, where every access is recorded and
 * swallowed.  If WRPT turns out to be a single 8-bit write of its argument to
 * one port, the panic path replays that write with iowrite8() and never enters
 * the AML interpreter.  Outside learn mode the handler passes accesses through,
 * so RDPT and WRPT keep working while we are bound.
 *
 * SystemMemory is not intercepted: 6.1 exports no pass-through for it
 * (acpi_os_read_memory/acpi_os_write_memory are not exported) and mapping
 * memory inside the handler cannot be done in atomic context.  A WRPT that
 * stores to memory therefore gets no recipe and is evaluated live.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crash_dump.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/string.h>

#include "pvpanic_acpi.h"

/*
 * policy= picks the panic path, fixed at probe (see debugfs <dev>/path):
 *  auto: replay the learned WRPT write (no interpreter, no lock, no
 *        allocation, bounded time; follows the port the firmware names);
 *        without a recipe, live WRPT behind the guards; else the _CRS port.
 *  acpi: always live WRPT, as the spec intends, at the price of entering
 *        ACPICA in panic context (its mutexes and allocations; a CPU stopped
 *        inside the interpreter would hang the panic).  _CRS port on error.
 *  io:   the _CRS port only, what pvpanic-mmio does: no AML at all, but it
 *        ignores WRPT, so firmware that moved the register is not followed.
 */
static char *policy = "auto";
module_param(policy, charp, 0444);
MODULE_PARM_DESC(policy,
		 "panic path: auto (replay learned WRPT, else live WRPT, else _CRS port; default), acpi (always live WRPT), io (_CRS port only, as pvpanic-mmio)");

static bool kdump_report = true;
module_param(kdump_report, bool, 0444);
MODULE_PARM_DESC(kdump_report,
		 "in a kdump kernel, report CRASH_LOADED through WRPT at probe (default on)");

enum pvpanic_acpi_policy pvpanic_acpi_policy;

static const char * const pvpanic_acpi_policy_names[] = {
	[PVPANIC_POLICY_AUTO] = "auto",
	[PVPANIC_POLICY_ACPI] = "acpi",
	[PVPANIC_POLICY_IO] = "io",
};

static acpi_status pvpanic_acpi_io_handler(u32 function,
					   acpi_physical_address address,
					   u32 bit_width, u64 *value,
					   void *handler_context,
					   void *region_context)
{
	struct pvpanic_acpi *pa = handler_context;
	bool write = (function & ACPI_IO_MASK) == ACPI_WRITE;
	acpi_status status;
	u32 v;

	if (READ_ONCE(pa->learning)) {
		if (pa->nr_seen < PVPANIC_LEARN_MAX) {
			struct pvpanic_acpi_access *a = &pa->seen[pa->nr_seen];

			a->function = function & ACPI_IO_MASK;
			a->bit_width = bit_width;
			a->address = address;
			a->value = write ? *value : 0;
		}
		if (pa->nr_seen < UINT_MAX)
			pa->nr_seen++;
		if (!write)
			*value = 0;
		return AE_OK;
	}

	if (write)
		return acpi_os_write_port(address, (u32)*value, bit_width);
	status = acpi_os_read_port(address, &v, bit_width);
	*value = v;
	return status;
}

static acpi_status pvpanic_acpi_region_setup(acpi_handle region, u32 function,
					     void *handler_context,
					     void **region_context)
{
	*region_context = function == ACPI_REGION_DEACTIVATE ?
			  NULL : handler_context;
	return AE_OK;
}

static void pvpanic_acpi_remove_handler(void *data)
{
	struct pvpanic_acpi *pa = data;

	/*
	 * PEVT's SystemIO regions are left without a handler until the next
	 * bind installs ours again; nothing else evaluates RDPT/WRPT.
	 */
	pvpanic_acpi_aml_enter();
	acpi_remove_address_space_handler(pa->handle, ACPI_ADR_SPACE_SYSTEM_IO,
					  pvpanic_acpi_io_handler);
	pvpanic_acpi_aml_exit();
}

/*
 * Our SystemIO handler at the device node, installed before any method is
 * evaluated: after an unbind removed it, PEVT's SystemIO regions have no
 * handler at all until this attaches them again.
 */
static int pvpanic_acpi_install_handler(struct pvpanic_acpi *pa)
{
	acpi_status status;

	status = acpi_install_address_space_handler(pa->handle,
						    ACPI_ADR_SPACE_SYSTEM_IO,
						    pvpanic_acpi_io_handler,
						    pvpanic_acpi_region_setup,
						    pa);
	if (ACPI_FAILURE(status)) {
		dev_warn(pa->dev, "cannot install a SystemIO handler (%s): no replay recipe\n",
			 acpi_format_exception(status));
		return 0;
	}
	pa->handler_installed = true;
	return devm_add_action_or_reset(pa->dev, pvpanic_acpi_remove_handler,
					pa);
}

static int pvpanic_acpi_read_rdpt(struct pvpanic_acpi *pa)
{
	struct acpi_buffer buf = { ACPI_ALLOCATE_BUFFER, NULL };
	struct device *dev = pa->dev;
	union acpi_object *obj;
	acpi_status status;
	u64 raw;
	int ret = -ENODEV;

	if (!acpi_has_method(pa->handle, "RDPT")) {
		dev_err(dev, "no RDPT method: cannot tell what the device supports, not binding\n");
		return -ENODEV;
	}

	status = acpi_evaluate_object(pa->handle, "RDPT", NULL, &buf);
	if (ACPI_FAILURE(status)) {
		dev_err(dev, "RDPT failed (%s), not binding\n",
			acpi_format_exception(status));
		return -ENODEV;
	}

	obj = buf.pointer;
	if (!obj || obj->type != ACPI_TYPE_INTEGER) {
		dev_err(dev, "RDPT returned a non-integer (ACPI type %u), not binding\n",
			obj ? obj->type : 0);
		goto out;
	}
	raw = obj->integer.value;
	if (raw > 0xff) {
		dev_err(dev, "RDPT returned 0x%llx, not a byte: firmware bug, not binding\n",
			raw);
		goto out;
	}

	/* The spec: software ignores the bits it does not recognise. */
	pa->capability = raw & PVPANIC_KNOWN_EVENTS;
	if (raw & ~PVPANIC_KNOWN_EVENTS)
		dev_info(dev, "RDPT 0x%02llx: ignoring unknown bits 0x%02llx\n",
			 raw, raw & ~PVPANIC_KNOWN_EVENTS);
	ret = 0;
out:
	ACPI_FREE(buf.pointer);
	return ret;
}

static void pvpanic_acpi_get_port(struct pvpanic_acpi *pa,
				  struct platform_device *pdev)
{
	struct resource *res = platform_get_resource(pdev, IORESOURCE_IO, 0);

	if (!res) {
		dev_info(pa->dev, "%s: no _CRS port to fall back on\n",
			 pdev->num_resources ? "no I/O port in _CRS" : "no _CRS");
		return;
	}
	pa->port = res->start;
	pa->port_base = devm_ioport_map(pa->dev, res->start, 1);
	if (!pa->port_base)
		dev_warn(pa->dev, "cannot map _CRS port 0x%lx\n", pa->port);
}

/*
 * One learn-mode evaluation of WRPT(value).  True when it was exactly one
 * 8-bit SystemIO write of @value, which is then stored in *seen.
 */
static bool pvpanic_acpi_learn_one(struct pvpanic_acpi *pa, u8 value,
				   struct pvpanic_acpi_access *seen,
				   acpi_status *status)
{
	pa->nr_seen = 0;
	WRITE_ONCE(pa->learning, true);
	*status = pvpanic_acpi_eval_wrpt(pa->handle, value);
	WRITE_ONCE(pa->learning, false);

	if (ACPI_FAILURE(*status) || pa->nr_seen != 1)
		return false;
	*seen = pa->seen[0];
	return seen->function == ACPI_WRITE && seen->bit_width == 8 &&
	       seen->value == value;
}

/*
 * Sets pa->wrpt_ok and, when WRPT is replayable, pa->replay_base.
 *
 * Safety: a learn-mode evaluation swallows only what reaches our SystemIO
 * handler.  A WRPT that stores somewhere else (another address space, such as
 * the test model's OEM space) performs a real write.  So the first probe is
 * WRPT(0): a write of 0 is no event on any pvpanic device.  Only if that was
 * intercepted as one write of 0 do we go on, and then with 0xa8 and 0x50:
 * between them and 0 each of bits 3-7 is seen both set and cleared, which
 * shows that WRPT stores its argument unchanged, while bits 0-2 (PANICKED,
 * CRASH_LOADED and, on newer QEMU, SHUTDOWN) stay clear, so even a write that
 * escaped interception would be ignored by the device as the spec requires.
 * Bits 0-1 are thus not probed themselves; an AML that treats them
 * differently from bits 3-7 in a plain Store is not a case worth a real
 * event at probe.
 */
static void pvpanic_acpi_learn(struct pvpanic_acpi *pa)
{
	static const u8 probes[] = { 0x00, 0xa8, 0x50 };
	struct pvpanic_acpi_access first = { }, seen;
	struct device *dev = pa->dev;
	acpi_status status;
	unsigned int i;

	if (!acpi_has_method(pa->handle, "WRPT")) {
		dev_warn(dev, "no WRPT method: reporting through the _CRS port only\n");
		return;
	}

	if (!pa->handler_installed) {
		/* A write of 0 is no event: just check that WRPT works. */
		status = pvpanic_acpi_eval_wrpt(pa->handle, 0);
		pa->wrpt_ok = ACPI_SUCCESS(status);
		if (!pa->wrpt_ok)
			dev_warn(dev, "WRPT(0) failed (%s): not using WRPT\n",
				 acpi_format_exception(status));
		return;
	}

	for (i = 0; i < ARRAY_SIZE(probes); i++) {
		bool one = pvpanic_acpi_learn_one(pa, probes[i], &seen, &status);

		if (ACPI_FAILURE(status)) {
			dev_warn(dev, "WRPT(0x%02x) failed (%s): not using WRPT\n",
				 probes[i], acpi_format_exception(status));
			pa->wrpt_ok = false;
			return;
		}
		pa->wrpt_ok = true;
		if (!one || (i && seen.address != first.address)) {
			dev_info(dev, "WRPT is not one 8-bit SystemIO write of its argument (%u accesses seen for 0x%02x): no replay recipe\n",
				 pa->nr_seen, probes[i]);
			return;
		}
		if (!i)
			first = seen;
	}

	pa->replay_base = devm_ioport_map(dev, first.address, 1);
	if (!pa->replay_base) {
		dev_warn(dev, "cannot map port 0x%llx: no replay recipe\n",
			 first.address);
		return;
	}
	pa->replay_addr = first.address;
}

static int pvpanic_acpi_choose_path(struct pvpanic_acpi *pa)
{
	switch (pvpanic_acpi_policy) {
	case PVPANIC_POLICY_AUTO:
		if (pa->replay_base) {
			pa->path = PVPANIC_PATH_REPLAY;
			break;
		}
		fallthrough;
	case PVPANIC_POLICY_ACPI:
		if (pa->wrpt_ok) {
			pa->path = PVPANIC_PATH_LIVE;
			break;
		}
		fallthrough;
	case PVPANIC_POLICY_IO:
		if (pa->port_base)
			pa->path = PVPANIC_PATH_PORT;
		break;
	}
	if (pa->path == PVPANIC_PATH_NONE) {
		dev_err(pa->dev, "no way to report with policy=%s (WRPT unusable or not allowed, no _CRS port), not binding\n",
			pvpanic_acpi_policy_names[pvpanic_acpi_policy]);
		return -ENODEV;
	}
	return 0;
}

/*
 * In a kdump kernel the panicked kernel's notifiers usually never ran
 * (crash_kexec_post_notifiers is off by default), so say it now.
 */
static void pvpanic_acpi_kdump_report(struct pvpanic_acpi *pa)
{
	acpi_status status;

	if (!is_kdump_kernel() || !kdump_report)
		return;
	if (!(pa->capability & pa->events & PVPANIC_CRASH_LOADED)) {
		dev_info(pa->dev, "kdump kernel: device lacks CRASH_LOADED, not reporting\n");
		return;
	}
	if (pa->wrpt_ok && pvpanic_acpi_policy != PVPANIC_POLICY_IO) {
		status = pvpanic_acpi_eval_wrpt(pa->handle,
						PVPANIC_CRASH_LOADED);
		if (ACPI_SUCCESS(status)) {
			dev_info(pa->dev, "kdump kernel: reported CRASH_LOADED through WRPT\n");
			return;
		}
		dev_warn(pa->dev, "kdump kernel: WRPT(2) failed (%s)\n",
			 acpi_format_exception(status));
	}
	if (pa->port_base) {
		iowrite8(PVPANIC_CRASH_LOADED, pa->port_base);
		dev_info(pa->dev, "kdump kernel: reported CRASH_LOADED through port 0x%lx\n",
			 pa->port);
	}
}

static int __pvpanic_acpi_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct pvpanic_acpi *pa;
	char path[48];
	int ret;

	pa = devm_kzalloc(dev, sizeof(*pa), GFP_KERNEL);
	if (!pa)
		return -ENOMEM;
	pa->dev = dev;
	pa->handle = ACPI_HANDLE(dev);
	if (!pa->handle)
		return -ENODEV;

	/*
	 * No _STA check here: the ACPI core creates no platform device for a
	 * device whose _STA says "not present", so probe never sees one.
	 */
	ret = pvpanic_acpi_install_handler(pa);
	if (ret)
		return ret;
	ret = pvpanic_acpi_read_rdpt(pa);
	if (ret)
		return ret;
	pvpanic_acpi_get_port(pa, pdev);
	pvpanic_acpi_learn(pa);
	ret = pvpanic_acpi_choose_path(pa);
	if (ret)
		return ret;

	pa->events = pa->capability;
	platform_set_drvdata(pdev, pa);
	ret = pvpanic_acpi_add(pa);
	if (ret)
		return ret;

	pvpanic_acpi_path_name(pa, path, sizeof(path));
	dev_info(dev, "capability 0x%x, panic path: %s\n", pa->capability,
		 path);
	if (!pa->capability)
		dev_info(dev, "capability 0: bound, but no event will ever be sent\n");

	pvpanic_acpi_kdump_report(pa);
	return 0;
}

static int pvpanic_acpi_probe(struct platform_device *pdev)
{
	int ret;

	/*
	 * Probe is in and out of ACPICA (namespace lookups, RDPT, WRPT,
	 * handler installation): a panic meanwhile must not evaluate WRPT live.
	 */
	pvpanic_acpi_aml_enter();
	ret = __pvpanic_acpi_probe(pdev);
	pvpanic_acpi_aml_exit();
	return ret;
}

static const struct acpi_device_id pvpanic_acpi_ids[] = {
	{ "QEMU0001", 0 },
	{ }
};
MODULE_DEVICE_TABLE(acpi, pvpanic_acpi_ids);

static struct platform_driver pvpanic_acpi_driver = {
	.probe = pvpanic_acpi_probe,
	.driver = {
		.name = KBUILD_MODNAME,
		.acpi_match_table = pvpanic_acpi_ids,
		.dev_groups = pvpanic_acpi_groups,
	},
};

/* Another driver (pvpanic-mmio) bound to a QEMU0001 device: say what to do. */
static void pvpanic_acpi_warn_other(struct device *dev)
{
	struct acpi_device *adev = ACPI_COMPANION(dev);
	struct device_driver *drv = dev->driver;

	if (!adev || acpi_match_device_ids(adev, pvpanic_acpi_ids))
		return;
	if (drv && drv != &pvpanic_acpi_driver.driver)
		dev_warn(dev,
			 "bound to %s, not %s: unbind it (echo %s > /sys/bus/platform/drivers/%s/unbind; echo %s > /sys/bus/platform/drivers/%s/bind) or blocklist it in /etc/modprobe.d\n",
			 drv->name, KBUILD_MODNAME, dev_name(dev), drv->name,
			 dev_name(dev), KBUILD_MODNAME);
}

static int pvpanic_acpi_check_other(struct device *dev, void *unused)
{
	device_lock(dev);
	pvpanic_acpi_warn_other(dev);
	device_unlock(dev);
	return 0;
}

/* The driver core calls this with the device lock held. */
static int pvpanic_acpi_bus_notify(struct notifier_block *nb,
				   unsigned long action, void *data)
{
	if (action == BUS_NOTIFY_BOUND_DRIVER)
		pvpanic_acpi_warn_other(data);
	return NOTIFY_DONE;
}

static struct notifier_block pvpanic_acpi_bus_nb = {
	.notifier_call = pvpanic_acpi_bus_notify,
};

static int __init pvpanic_acpi_init(void)
{
	int ret;

	ret = sysfs_match_string(pvpanic_acpi_policy_names, policy);
	if (ret < 0) {
		pr_err("policy=%s: unknown, use auto, acpi or io\n", policy);
		return -EINVAL;
	}
	pvpanic_acpi_policy = ret;

	ret = pvpanic_acpi_core_init();
	if (ret)
		return ret;
	ret = platform_driver_register(&pvpanic_acpi_driver);
	if (ret)
		goto err_core;
	ret = bus_register_notifier(&platform_bus_type, &pvpanic_acpi_bus_nb);
	if (ret)
		goto err_driver;
	bus_for_each_dev(&platform_bus_type, NULL, NULL,
			 pvpanic_acpi_check_other);
	return 0;

err_driver:
	platform_driver_unregister(&pvpanic_acpi_driver);
err_core:
	pvpanic_acpi_core_exit();
	return ret;
}
module_init(pvpanic_acpi_init);

static void __exit pvpanic_acpi_exit(void)
{
	bus_unregister_notifier(&platform_bus_type, &pvpanic_acpi_bus_nb);
	platform_driver_unregister(&pvpanic_acpi_driver);
	pvpanic_acpi_core_exit();
}
module_exit(pvpanic_acpi_exit);

MODULE_DESCRIPTION("pvpanic through the QEMU0001 ACPI methods RDPT/WRPT");
MODULE_LICENSE("GPL");
