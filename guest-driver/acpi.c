// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_acpi: platform driver for the QEMU0001 ACPI device.
 *
 * Probe maps the _CRS register (an I/O port or memory, as pvpanic-mmio),
 * reads the capability with RDPT (else from that register), learns what
 * WRPT writes (learn.c) and chooses the anchors of the panic path: the
 * learned register, the _CRS register, or both when they disagree.  The
 * panic path writes them with iowrite8(); it enters the AML interpreter
 * only with policy=acpi.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/crash_dump.h>
#include <linux/debugfs.h>
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
 *  auto: the learned WRPT register, and the _CRS register when it is
 *        another; the _CRS register alone when WRPT was not learned.
 *  acpi: live WRPT first, as the spec intends, at the price of entering
 *        ACPICA in panic context; a CPU stopped inside the interpreter
 *        hangs the panic.  Not panic-safe.  Falls back on auto's anchors.
 *  io:   the _CRS register only, as pvpanic-mmio: no WRPT; the only AML
 *        it runs is RDPT at probe.
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
		 "panic path, taken at each bind: auto (learned WRPT register and/or _CRS register, no AML; default), acpi (live WRPT first, not panic-safe), io (_CRS register only, as pvpanic-mmio)");

static bool kdump_report = true;
module_param(kdump_report, bool, 0444);
MODULE_PARM_DESC(kdump_report,
		 "in a kdump kernel, report CRASH_LOADED through WRPT at probe (default on)");

/* policy=acpi: live WRPT from the panic path. */
static bool pvpanic_acpi_send_live(struct pvpanic_acpi *pa, u8 event)
{
	return pvpanic_acpi_wrpt_live(ACPI_HANDLE(pa->dev), event);
}

/* RDPT's byte, or -errno with the reason logged. */
static int pvpanic_acpi_read_rdpt(struct device *dev, acpi_handle handle)
{
	struct acpi_buffer buf = { ACPI_ALLOCATE_BUFFER, NULL };
	union acpi_object *obj;
	acpi_status status;
	int ret = -EINVAL;

	pvpanic_acpi_aml_enter();
	status = acpi_evaluate_object(handle, "RDPT", NULL, &buf);
	pvpanic_acpi_aml_exit();
	if (ACPI_FAILURE(status)) {
		dev_warn(dev, "RDPT failed (%s)\n", acpi_format_exception(status));
		return -EIO;
	}
	obj = buf.pointer;
	if (!obj || obj->type != ACPI_TYPE_INTEGER)
		dev_warn(dev, "RDPT returned a non-integer (ACPI type %u)\n",
			 obj ? obj->type : 0);
	else if (obj->integer.value > 0xff)
		dev_warn(dev, "RDPT returned 0x%llx, not a byte: firmware bug\n",
			 obj->integer.value);
	else
		ret = obj->integer.value;
	ACPI_FREE(buf.pointer);
	return ret;
}

/*
 * The capability: RDPT's byte, as the spec asks; else the _CRS register's,
 * as pvpanic-mmio reads it.  Software ignores the bits it does not know.
 */
static int pvpanic_acpi_capability(struct pvpanic_acpi *pa, acpi_handle handle,
				   void __iomem *crs)
{
	bool has_rdpt = acpi_has_method(handle, "RDPT");
	int raw = has_rdpt ? pvpanic_acpi_read_rdpt(pa->dev, handle) : -ENOENT;

	if (raw < 0 && !crs) {
		dev_err(pa->dev, "%s and no _CRS register: cannot tell what the device supports, not binding\n",
			has_rdpt ? "no usable RDPT" : "no RDPT method");
		return -ENODEV;
	}
	if (raw < 0) {
		raw = ioread8(crs);
		dev_info(pa->dev, "%s: capability read from the _CRS register\n",
			 has_rdpt ? "RDPT unusable" : "no RDPT method");
	}
	pa->capability = raw & PVPANIC_KNOWN_EVENTS;
	if (raw & ~PVPANIC_KNOWN_EVENTS)
		dev_info(pa->dev, "capability 0x%02x: ignoring unknown bits 0x%02x\n",
			 raw, raw & ~(int)PVPANIC_KNOWN_EVENTS);
	return 0;
}

/*
 * A register in memory must not be RAM: ioremap() warns on RAM (a panic
 * with panic_on_warn), and a store there corrupts memory.
 */
static bool pvpanic_acpi_is_ram(u64 address, u64 size)
{
	return region_intersects(address, size, IORESOURCE_SYSTEM_RAM,
				 IORES_DESC_NONE) != REGION_DISJOINT;
}

/* The _CRS register, an I/O port or memory as pvpanic-mmio takes it. */
static void __iomem *pvpanic_acpi_map_crs(struct platform_device *pdev,
					  struct resource *res)
{
	struct device *dev = &pdev->dev;
	void __iomem *base;

	if (resource_type(res) == IORESOURCE_IO)
		return devm_ioport_map(dev, res->start, resource_size(res));
	if (pvpanic_acpi_is_ram(res->start, resource_size(res))) {
		dev_warn(dev, "_CRS memory %pR is RAM: not using it\n", res);
		return NULL;
	}
	base = devm_ioremap_resource(dev, res);
	if (IS_ERR(base)) {
		dev_warn(dev, "cannot map _CRS memory %pR: %pe\n", res, base);
		return NULL;
	}
	return base;
}

static void pvpanic_acpi_add_anchor(struct pvpanic_acpi *pa,
				    void __iomem *base, const char *what,
				    u64 address)
{
	size_t n = strlen(pa->path);

	pa->anchor[pa->nr_anchors++] = base;
	scnprintf(pa->path + n, sizeof(pa->path) - n, "%s%s 0x%llx%s",
		  n ? " + " : "", what, address,
		  strncmp(what, "replay", 6) ? "" : " 8");
}

/*
 * The learned register as an anchor: inside the _CRS register's range it
 * is that mapping; elsewhere a one-byte mapping of its own, never of RAM.
 * Returns whether the learned register is the _CRS register.
 */
static bool pvpanic_acpi_learned_anchor(struct pvpanic_acpi *pa,
					const struct pvpanic_acpi_recipe *r,
					struct resource *res,
					void __iomem *crs)
{
	bool io = r->space_id == ACPI_ADR_SPACE_SYSTEM_IO;
	const char *what = io ? "replay io" : "replay mem";
	void __iomem *base;

	if (crs && resource_type(res) == (io ? IORESOURCE_IO : IORESOURCE_MEM) &&
	    r->address >= res->start && r->address <= res->end) {
		pvpanic_acpi_add_anchor(pa, crs + (r->address - res->start),
					what, r->address);
		return true;
	}
	if (!io && pvpanic_acpi_is_ram(r->address, 1)) {
		snprintf(pa->why, sizeof(pa->why),
			 "the learned register 0x%llx is RAM: refused; ",
			 r->address);
		return false;
	}
	base = io ? devm_ioport_map(pa->dev, r->address, 1) :
		    devm_ioremap(pa->dev, r->address, 1);
	if (!base) {
		snprintf(pa->why, sizeof(pa->why),
			 "the learned register 0x%llx cannot be mapped; ",
			 r->address);
		return false;
	}
	pvpanic_acpi_add_anchor(pa, base, what, r->address);
	return false;
}

/*
 * The panic path.  policy=io: the _CRS register.  auto: the learned WRPT
 * register, and the _CRS register when it is another one; the _CRS
 * register alone when nothing was learned.  acpi: live WRPT first, then
 * the same anchors.
 */
static int pvpanic_acpi_choose_path(struct pvpanic_acpi *pa,
				    enum pvpanic_acpi_policy policy,
				    struct resource *res, void __iomem *crs)
{
	acpi_handle handle = ACPI_HANDLE(pa->dev);
	struct pvpanic_acpi_recipe recipe;
	bool same = false;
	size_t n;
	int ret;

	if (!acpi_has_method(handle, "WRPT")) {
		snprintf(pa->learned, sizeof(pa->learned), "no WRPT method");
	} else if (policy == PVPANIC_POLICY_IO) {
		snprintf(pa->learned, sizeof(pa->learned),
			 "nothing (policy=io evaluates no WRPT)");
	} else {
		ret = pvpanic_acpi_learn(handle, &recipe, pa->learned,
					 sizeof(pa->learned));
		if (policy == PVPANIC_POLICY_ACPI && ret != -EIO) {
			pa->live = pvpanic_acpi_send_live;
			strscpy(pa->path, "live", sizeof(pa->path));
		}
		if (!ret)
			same = pvpanic_acpi_learned_anchor(pa, &recipe, res, crs);
	}
	if (crs && !same)
		pvpanic_acpi_add_anchor(pa, crs, resource_type(res) ==
					IORESOURCE_IO ? "port" : "mem",
					res->start);

	n = strlen(pa->why);
	if (policy == PVPANIC_POLICY_IO)
		snprintf(pa->why + n, sizeof(pa->why) - n,
			 "policy=io: the _CRS register only");
	else if (pa->live)
		snprintf(pa->why + n, sizeof(pa->why) - n,
			 "policy=acpi: live WRPT first (not panic-safe), then the anchors");
	else if (same)
		snprintf(pa->why + n, sizeof(pa->why) - n,
			 "the learned register is the _CRS register");
	else if (pa->nr_anchors == 2)
		snprintf(pa->why + n, sizeof(pa->why) - n,
			 "the learned register and the _CRS register disagree: both are written");
	else if (pa->nr_anchors && crs)
		snprintf(pa->why + n, sizeof(pa->why) - n,
			 "WRPT not replayed: the _CRS register, as pvpanic-mmio");
	else if (pa->nr_anchors)
		snprintf(pa->why + n, sizeof(pa->why) - n,
			 "the learned register (no _CRS register)");

	if (!pa->live && !pa->nr_anchors) {
		dev_err(pa->dev, "no panic path with policy=%s: %s, and no usable _CRS register; policy=acpi would evaluate WRPT in the panic (not panic-safe). Not binding\n",
			pvpanic_acpi_policy_names[policy], pa->learned);
		return -ENODEV;
	}
	return 0;
}

/*
 * In a kdump kernel the panicked kernel's notifiers usually never ran
 * (crash_kexec_post_notifiers is off by default): say it now.  Probe is
 * process context, so WRPT is evaluated live where the policy allows it.
 */
static void pvpanic_acpi_kdump_report(struct pvpanic_acpi *pa,
				      enum pvpanic_acpi_policy policy)
{
	acpi_handle handle = ACPI_HANDLE(pa->dev);
	acpi_status status;

	if (!is_kdump_kernel() || !kdump_report)
		return;
	if (!(pa->capability & PVPANIC_CRASH_LOADED)) {
		dev_info(pa->dev, "kdump kernel: device lacks CRASH_LOADED, not reporting\n");
		return;
	}
	if (policy != PVPANIC_POLICY_IO && acpi_has_method(handle, "WRPT")) {
		status = pvpanic_acpi_eval_wrpt(handle, PVPANIC_CRASH_LOADED);
		if (ACPI_SUCCESS(status)) {
			dev_info(pa->dev, "kdump kernel: reported CRASH_LOADED through WRPT\n");
			return;
		}
		dev_warn(pa->dev, "kdump kernel: WRPT(2) failed (%s)\n",
			 acpi_format_exception(status));
	}
	pvpanic_acpi_write_anchors(pa, PVPANIC_CRASH_LOADED);
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
	enum pvpanic_acpi_policy policy = READ_ONCE(pvpanic_acpi_policy);
	struct device *dev = &pdev->dev;
	void __iomem *crs = NULL;
	struct pvpanic_acpi *pa;
	struct resource *res;
	int ret;

	if (!ACPI_HANDLE(dev))
		return -ENODEV;
	pa = devm_kzalloc(dev, sizeof(*pa), GFP_KERNEL);
	if (!pa)
		return -ENOMEM;
	pa->dev = dev;

	/*
	 * No _STA check here: the ACPI core creates no platform device for a
	 * device whose _STA says "not present", so probe never sees one.
	 */
	res = platform_get_mem_or_io(pdev, 0);
	if (res)
		crs = pvpanic_acpi_map_crs(pdev, res);
	else
		dev_info(dev, "no I/O or memory register in _CRS\n");
	ret = pvpanic_acpi_capability(pa, ACPI_HANDLE(dev), crs);
	if (ret)
		return ret;
	ret = pvpanic_acpi_choose_path(pa, policy, res, crs);
	if (ret)
		return ret;

	pa->events = pa->capability;
	platform_set_drvdata(pdev, pa);
	ret = pvpanic_acpi_add(pa);
	if (ret)
		return ret;
	debugfs_create_file_unsafe("rdpt", 0400, pa->debugfs, pa, &rdpt_fops);
	debugfs_create_file_unsafe("wrpt", 0200, pa->debugfs, pa, &wrpt_fops);

	dev_info(dev, "capability 0x%x, panic path: %s\n", pa->capability,
		 pa->path);
	dev_info(dev, "learned: %s; %s\n", pa->learned, pa->why);
	if (!pa->capability)
		dev_info(dev, "capability 0: bound, but no event will ever be sent\n");

	pvpanic_acpi_kdump_report(pa, policy);
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
 * pvpanic-mmio matches the same ID and udev loads it too: at load, say so
 * for each QEMU0001 device another driver holds.
 */
static int pvpanic_acpi_warn_other(struct device *dev, void *unused)
{
	struct acpi_device *adev = ACPI_COMPANION(dev);
	struct device_driver *drv;

	if (!adev || acpi_match_device_ids(adev, pvpanic_acpi_ids))
		return 0;
	device_lock(dev);
	drv = dev->driver;
	if (drv && drv != &pvpanic_acpi_driver.driver)
		dev_warn(dev, "bound to %s, not %s: unbind it (echo %s > /sys/bus/platform/drivers/%s/unbind; echo %s > /sys/bus/platform/drivers/%s/bind) or blocklist it in /etc/modprobe.d\n",
			 drv->name, KBUILD_MODNAME, dev_name(dev), drv->name,
			 dev_name(dev), KBUILD_MODNAME);
	device_unlock(dev);
	return 0;
}

static int __init pvpanic_acpi_init(void)
{
	int ret;

	ret = pvpanic_acpi_core_init();
	if (ret)
		return ret;
	ret = platform_driver_register(&pvpanic_acpi_driver);
	if (ret) {
		pvpanic_acpi_core_exit();
		return ret;
	}
	bus_for_each_dev(&platform_bus_type, NULL, NULL,
			 pvpanic_acpi_warn_other);
	return 0;
}
module_init(pvpanic_acpi_init);

static void __exit pvpanic_acpi_exit(void)
{
	platform_driver_unregister(&pvpanic_acpi_driver);
	pvpanic_acpi_core_exit();
	pvpanic_acpi_learn_exit();
}
module_exit(pvpanic_acpi_exit);

MODULE_DESCRIPTION("pvpanic through the QEMU0001 ACPI methods RDPT/WRPT");
MODULE_LICENSE("GPL");
