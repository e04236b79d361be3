// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_acpi: platform driver for the QEMU0001 ACPI device.
 *
 * Probe reads the capability with RDPT and the I/O port of _CRS, learns
 * what WRPT writes (learn.c) and chooses the anchors of the panic path:
 * the learned register, the _CRS port, or both when they disagree.  The
 * panic path writes them with iowrite8(); it enters the AML interpreter
 * only with policy=acpi.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/crash_dump.h>
#include <linux/debugfs.h>
#include <linux/hardirq.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/string.h>

#include "pvpanic_acpi.h"

enum pvpanic_acpi_policy {
	PVPANIC_POLICY_AUTO,
	PVPANIC_POLICY_ACPI,
	PVPANIC_POLICY_IO,
};

static const char * const pvpanic_acpi_policy_names[] = {
	[PVPANIC_POLICY_AUTO] = "auto",
	[PVPANIC_POLICY_ACPI] = "acpi",
	[PVPANIC_POLICY_IO] = "io",
};

static enum pvpanic_acpi_policy pvpanic_acpi_policy;

/*
 * policy= picks the panic path of each device at its probe (debugfs
 * <dev>/path says which); writable, for the next bind:
 *  auto: the learned WRPT register, and the _CRS port when it differs;
 *        the _CRS port alone when WRPT could not be learned.  No AML.
 *  acpi: live WRPT first, as the spec intends, at the price of entering
 *        ACPICA in panic context; a CPU stopped inside the interpreter
 *        hangs the panic.  Not panic-safe.  Falls back on auto's anchors.
 *  io:   the _CRS port only, as pvpanic-mmio: no handler, no WRPT; the
 *        only AML it runs is RDPT at probe.
 */
static int pvpanic_acpi_policy_set(const char *val,
				   const struct kernel_param *kp)
{
	int ret = sysfs_match_string(pvpanic_acpi_policy_names, val);

	if (ret < 0) {
		pr_err("policy=%s: unknown, use auto, acpi or io\n", val);
		return -EINVAL;
	}
	WRITE_ONCE(pvpanic_acpi_policy, ret);
	return 0;
}

static int pvpanic_acpi_policy_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%s\n",
			  pvpanic_acpi_policy_names[READ_ONCE(pvpanic_acpi_policy)]);
}

static const struct kernel_param_ops pvpanic_acpi_policy_ops = {
	.set = pvpanic_acpi_policy_set,
	.get = pvpanic_acpi_policy_get,
};
module_param_cb(policy, &pvpanic_acpi_policy_ops, NULL, 0644);
MODULE_PARM_DESC(policy,
		 "panic path, taken at each bind: auto (learned WRPT register and/or _CRS port, no AML; default), acpi (live WRPT first, not panic-safe), io (_CRS port only, as pvpanic-mmio)");

static bool kdump_report = true;
module_param(kdump_report, bool, 0444);
MODULE_PARM_DESC(kdump_report,
		 "in a kdump kernel, report CRASH_LOADED through WRPT at probe (default on)");

/*
 * Our own AML in flight.  policy=acpi's panic path evaluates WRPT only
 * when it is zero: a panic raised inside one of our evaluations would find
 * ACPICA's mutexes held.  Nothing tells about anybody else's.
 */
static atomic_t pvpanic_acpi_aml_busy = ATOMIC_INIT(0);

void pvpanic_acpi_aml_enter(void)
{
	atomic_inc(&pvpanic_acpi_aml_busy);
}

void pvpanic_acpi_aml_exit(void)
{
	atomic_dec(&pvpanic_acpi_aml_busy);
}

bool pvpanic_acpi_aml_try_enter(void)
{
	if (atomic_inc_return(&pvpanic_acpi_aml_busy) == 1)
		return true;
	atomic_dec(&pvpanic_acpi_aml_busy);
	return false;
}

acpi_status pvpanic_acpi_eval_wrpt(acpi_handle handle, u8 value)
{
	acpi_status status;

	pvpanic_acpi_aml_enter();
	status = acpi_execute_simple_method(handle, "WRPT", value);
	pvpanic_acpi_aml_exit();
	return status;
}

/* policy=acpi: live WRPT from the panic path; refuse rather than wait. */
static bool pvpanic_acpi_send_live(struct pvpanic_acpi *pa, u8 event)
{
	acpi_status status;

	if (in_nmi() || !pvpanic_acpi_aml_try_enter())
		return false;
	status = acpi_execute_simple_method(ACPI_HANDLE(pa->dev), "WRPT",
					    event);
	pvpanic_acpi_aml_exit();
	return ACPI_SUCCESS(status);
}

static int pvpanic_acpi_read_rdpt(struct pvpanic_acpi *pa, acpi_handle handle)
{
	struct acpi_buffer buf = { ACPI_ALLOCATE_BUFFER, NULL };
	struct device *dev = pa->dev;
	union acpi_object *obj;
	acpi_status status;
	int ret = -ENODEV;
	u64 raw;

	if (!acpi_has_method(handle, "RDPT")) {
		dev_err(dev, "no RDPT method: cannot tell what the device supports, not binding\n");
		return -ENODEV;
	}
	status = acpi_evaluate_object(handle, "RDPT", NULL, &buf);
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

/* What the device's probe found, for choosing the panic path. */
struct pvpanic_acpi_probe {
	enum pvpanic_acpi_policy policy;	/* as it was at the probe */
	bool has_wrpt;
	bool wrpt_ok;			/* WRPT evaluated fine */
	bool learned;
	struct pvpanic_acpi_recipe recipe;
	const struct resource *port;	/* _CRS I/O port */
};

static void pvpanic_acpi_learn_wrpt(struct pvpanic_acpi *pa,
				    struct pvpanic_acpi_node *node,
				    acpi_handle handle,
				    struct pvpanic_acpi_probe *p)
{
	acpi_status status;
	int ret;

	p->has_wrpt = acpi_has_method(handle, "WRPT");
	if (!p->has_wrpt) {
		snprintf(pa->learned, sizeof(pa->learned), "no WRPT method");
		return;
	}
	if (p->policy == PVPANIC_POLICY_IO) {
		snprintf(pa->learned, sizeof(pa->learned),
			 "nothing (policy=io evaluates no WRPT)");
		return;
	}
	if (!node || !pvpanic_acpi_node_hooked(node)) {
		/* Outside panic context AML is fine: just check WRPT works. */
		status = pvpanic_acpi_eval_wrpt(handle, 0);
		p->wrpt_ok = ACPI_SUCCESS(status);
		snprintf(pa->learned, sizeof(pa->learned),
			 "nothing: the SystemIO/SystemMemory handlers at this node are not ours (WRPT(0) %s)",
			 acpi_format_exception(status));
		return;
	}
	ret = pvpanic_acpi_learn(node, pa->dev, &p->recipe, pa->learned,
				 sizeof(pa->learned));
	p->wrpt_ok = ret != -EIO;
	p->learned = !ret;
}

static void __iomem *pvpanic_acpi_map(struct pvpanic_acpi *pa, u8 space_id,
				      u64 address)
{
	if (space_id == ACPI_ADR_SPACE_SYSTEM_IO)
		return devm_ioport_map(pa->dev, address, 1);
	return devm_ioremap(pa->dev, address, 1);
}

static bool pvpanic_acpi_add_anchor(struct pvpanic_acpi *pa, u8 space_id,
				    u64 address, const char *what)
{
	void __iomem *base = pvpanic_acpi_map(pa, space_id, address);
	size_t n = strlen(pa->path);

	if (!base) {
		dev_warn(pa->dev, "cannot map %s 0x%llx\n", what, address);
		return false;
	}
	pa->anchor[pa->nr_anchors++] = base;
	snprintf(pa->path + n, sizeof(pa->path) - n, "%s%s 0x%llx%s",
		 n ? " + " : "", what, address,
		 strcmp(what, "port") ? " 8" : "");
	return true;
}

static int pvpanic_acpi_choose_path(struct pvpanic_acpi *pa,
				    struct pvpanic_acpi_probe *p)
{
	bool io = p->learned && p->recipe.space_id == ACPI_ADR_SPACE_SYSTEM_IO;
	bool same = io && p->port && p->recipe.address == p->port->start;

	if (p->policy == PVPANIC_POLICY_ACPI && p->wrpt_ok) {
		pa->live = pvpanic_acpi_send_live;
		snprintf(pa->path, sizeof(pa->path), "live");
	}
	if (p->learned && p->policy != PVPANIC_POLICY_IO)
		pvpanic_acpi_add_anchor(pa, p->recipe.space_id,
					p->recipe.address,
					io ? "replay io" : "replay mem");
	if (p->port && !same)
		pvpanic_acpi_add_anchor(pa, ACPI_ADR_SPACE_SYSTEM_IO,
					p->port->start, "port");

	if (p->policy == PVPANIC_POLICY_IO)
		snprintf(pa->reason, sizeof(pa->reason),
			 "policy=io: the _CRS port only");
	else if (pa->live)
		snprintf(pa->reason, sizeof(pa->reason),
			 "policy=acpi: live WRPT first (not panic-safe), then the anchors");
	else if (same)
		snprintf(pa->reason, sizeof(pa->reason),
			 "the learned register is the _CRS port");
	else if (p->learned && p->port)
		snprintf(pa->reason, sizeof(pa->reason),
			 "the learned register and the _CRS port disagree: both are written, each is what one anchor of the device says");
	else if (p->learned)
		snprintf(pa->reason, sizeof(pa->reason),
			 "the learned register (no _CRS port)");
	else if (p->port)
		snprintf(pa->reason, sizeof(pa->reason),
			 "WRPT not learned: the _CRS port, as pvpanic-mmio");

	if (!pa->live && !pa->nr_anchors) {
		dev_err(pa->dev, "no panic path with policy=%s: WRPT not learned (%s) and no usable _CRS I/O port; policy=acpi would evaluate WRPT in the panic (not panic-safe). Not binding\n",
			pvpanic_acpi_policy_names[p->policy],
			pa->learned);
		return -ENODEV;
	}
	return 0;
}

/*
 * In a kdump kernel the panicked kernel's notifiers usually never ran
 * (crash_kexec_post_notifiers is off by default): say it now, once per
 * device.  Probe is process context, so WRPT is evaluated live.
 */
static void pvpanic_acpi_kdump_report(struct pvpanic_acpi *pa,
				      struct pvpanic_acpi_node *node,
				      const struct pvpanic_acpi_probe *p)
{
	acpi_status status;
	unsigned int i;

	if (!is_kdump_kernel() || !kdump_report)
		return;
	if (!(pa->capability & pa->events & PVPANIC_CRASH_LOADED)) {
		dev_info(pa->dev, "kdump kernel: device lacks CRASH_LOADED, not reporting\n");
		return;
	}
	if (node && pvpanic_acpi_node_test_and_set_reported(node)) {
		dev_info(pa->dev, "kdump kernel: CRASH_LOADED already reported by this module\n");
		return;
	}
	if (p->wrpt_ok && p->policy != PVPANIC_POLICY_IO) {
		status = pvpanic_acpi_eval_wrpt(ACPI_HANDLE(pa->dev),
						PVPANIC_CRASH_LOADED);
		if (ACPI_SUCCESS(status)) {
			dev_info(pa->dev, "kdump kernel: reported CRASH_LOADED through WRPT\n");
			return;
		}
		dev_warn(pa->dev, "kdump kernel: WRPT(2) failed (%s)\n",
			 acpi_format_exception(status));
	}
	for (i = 0; i < pa->nr_anchors; i++)
		iowrite8(PVPANIC_CRASH_LOADED, pa->anchor[i]);
	if (pa->nr_anchors)
		dev_info(pa->dev, "kdump kernel: reported CRASH_LOADED through %s\n",
			 pa->path);
}

/* debugfs <dev>/rdpt and wrpt: the methods, evaluated live (root only). */

static int rdpt_get(void *data, u64 *val)
{
	struct pvpanic_acpi *pa = data;
	unsigned long long value;
	acpi_status status;

	pvpanic_acpi_aml_enter();
	status = acpi_evaluate_integer(ACPI_HANDLE(pa->dev), "RDPT", NULL,
				       &value);
	pvpanic_acpi_aml_exit();
	if (ACPI_FAILURE(status))
		return -EIO;
	*val = value;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(rdpt_fops, rdpt_get, NULL, "0x%02llx\n");

static int wrpt_set(void *data, u64 val)
{
	struct pvpanic_acpi *pa = data;

	if (val > 0xff)
		return -EINVAL;
	if (ACPI_FAILURE(pvpanic_acpi_eval_wrpt(ACPI_HANDLE(pa->dev), val)))
		return -EIO;
	return 0;
}
DEFINE_DEBUGFS_ATTRIBUTE(wrpt_fops, NULL, wrpt_set, "%llu\n");

static int pvpanic_acpi_probe(struct platform_device *pdev)
{
	struct pvpanic_acpi_probe p = { };
	struct device *dev = &pdev->dev;
	struct pvpanic_acpi_node *node;
	struct pvpanic_acpi *pa;
	acpi_handle handle;
	struct dentry *dir;
	int ret;

	handle = ACPI_HANDLE(dev);
	if (!handle)
		return -ENODEV;
	pa = devm_kzalloc(dev, sizeof(*pa), GFP_KERNEL);
	if (!pa)
		return -ENOMEM;
	pa->dev = dev;

	/*
	 * No _STA check here: the ACPI core creates no platform device for a
	 * device whose _STA says "not present", so probe never sees one.
	 * The handlers go in first, so that RDPT is read through them too.
	 */
	p.policy = READ_ONCE(pvpanic_acpi_policy);
	node = pvpanic_acpi_node_get(dev, handle, p.policy != PVPANIC_POLICY_IO);
	if (!node)
		return -ENOMEM;
	ret = pvpanic_acpi_read_rdpt(pa, handle);
	if (ret)
		return ret;
	p.port = platform_get_resource(pdev, IORESOURCE_IO, 0);
	if (!p.port)
		dev_info(dev, "%s: no _CRS port to fall back on\n",
			 pdev->num_resources ? "no I/O port in _CRS" : "no _CRS");
	pvpanic_acpi_learn_wrpt(pa, node, handle, &p);
	if (p.has_wrpt && !p.wrpt_ok)
		dev_warn(dev, "%s: not using WRPT\n", pa->learned);
	ret = pvpanic_acpi_choose_path(pa, &p);
	if (ret)
		return ret;

	pa->events = pa->capability;
	platform_set_drvdata(pdev, pa);
	ret = pvpanic_acpi_add(pa);
	if (ret)
		return ret;
	dir = pvpanic_acpi_debugfs_dir(pa);
	debugfs_create_file_unsafe("rdpt", 0400, dir, pa, &rdpt_fops);
	debugfs_create_file_unsafe("wrpt", 0200, dir, pa, &wrpt_fops);

	dev_info(dev, "capability 0x%x, panic path: %s\n", pa->capability,
		 pa->path);
	dev_info(dev, "learned: %s; %s\n", pa->learned, pa->reason);
	if (!pa->capability)
		dev_info(dev, "capability 0: bound, but no event will ever be sent\n");

	pvpanic_acpi_kdump_report(pa, node, &p);
	return 0;
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

/*
 * pvpanic-mmio matches the same ID and udev loads it too: say so when it
 * holds a QEMU0001 device, at load and whenever it binds one later.
 */
static void pvpanic_acpi_warn_other(struct device *dev)
{
	struct device_driver *drv = READ_ONCE(dev->driver);
	struct acpi_device *adev = ACPI_COMPANION(dev);

	if (!drv || drv == &pvpanic_acpi_driver.driver || !adev ||
	    acpi_match_device_ids(adev, pvpanic_acpi_ids))
		return;
	dev_warn(dev, "bound to %s, not %s: unbind it (echo %s > /sys/bus/platform/drivers/%s/unbind; echo %s > /sys/bus/platform/drivers/%s/bind) or blocklist it in /etc/modprobe.d\n",
		 drv->name, KBUILD_MODNAME, dev_name(dev), drv->name,
		 dev_name(dev), KBUILD_MODNAME);
}

/* Called by the driver core, which holds the device lock. */
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

/* At load: only the QEMU0001 devices, without their locks (a message only). */
static void pvpanic_acpi_check_others(void)
{
	struct acpi_device *adev;
	struct device *dev;

	for_each_acpi_dev_match(adev, "QEMU0001", NULL, -1) {
		dev = acpi_get_first_physical_node(adev);
		if (dev)
			pvpanic_acpi_warn_other(dev);
	}
}

static int __init pvpanic_acpi_init(void)
{
	int ret;

	ret = pvpanic_acpi_core_init();
	if (ret)
		return ret;
	ret = platform_driver_register(&pvpanic_acpi_driver);
	if (ret)
		goto err_core;
	ret = bus_register_notifier(&platform_bus_type, &pvpanic_acpi_bus_nb);
	if (ret)
		goto err_driver;
	pvpanic_acpi_check_others();
	return 0;

err_driver:
	platform_driver_unregister(&pvpanic_acpi_driver);
err_core:
	pvpanic_acpi_nodes_release();
	pvpanic_acpi_core_exit();
	return ret;
}
module_init(pvpanic_acpi_init);

static void __exit pvpanic_acpi_exit(void)
{
	bus_unregister_notifier(&platform_bus_type, &pvpanic_acpi_bus_nb);
	platform_driver_unregister(&pvpanic_acpi_driver);
	pvpanic_acpi_nodes_release();
	pvpanic_acpi_core_exit();
}
module_exit(pvpanic_acpi_exit);

MODULE_DESCRIPTION("pvpanic through the QEMU0001 ACPI methods RDPT/WRPT");
MODULE_LICENSE("GPL");
