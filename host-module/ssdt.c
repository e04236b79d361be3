// SPDX-License-Identifier: GPL-2.0
/*
 * pvpanic_sim tables: the SSDT variants compiled from acpi/pvpanic-sim.asl
 * (aml_tables.c, generated at build time), loaded into ACPICA, and the
 * devices the kernel enumerates from them.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/acpi.h>
#include <linux/delay.h>
#include <linux/pci.h>
#include <linux/platform_device.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "aml_tables.h"
#include "pvpanic_sim.h"

static const char *const pvp_device_paths[PVPANIC_SIM_MAX_DEVICES] = {
	"\\_SB.PEVT", "\\_SB.PEV1",
};

int pvpanic_sim_ssdt_select(const char *variant)
{
	struct pvpanic_sim *sim = &pvpanic_sim;

	sim->table = pvpanic_sim_find_table(variant);
	if (!sim->table) {
		pr_err("unknown variant=%s\n", variant);
		return -EINVAL;
	}
	if (WARN_ON(sim->table->devices > PVPANIC_SIM_MAX_DEVICES))
		return -EINVAL;
	return 0;
}

const char *pvpanic_sim_device_path(unsigned int device)
{
	return device < pvpanic_sim.table->devices ? pvp_device_paths[device] :
						     NULL;
}

/*
 * The pvpanic-pci variants' SystemMemory addresses are QEMU's pvpanic-pci
 * register: each 64-bit placeholder + x becomes the BAR's address + x,
 * and the checksum is fixed.
 */
#define PVP_MEM_PLACEHOLDER	0x5056504d454d0000ULL

static int pvp_patch_mem(const struct pvpanic_sim *sim,
			 struct acpi_table_header *table)
{
	u8 *p = (u8 *)table, sum = 0;
	struct pci_dev *pdev;
	resource_size_t start;
	unsigned int n = 0;
	__le64 le;
	u64 v;
	u32 i;

	pdev = pci_get_device(PCI_VENDOR_ID_REDHAT, 0x0011, NULL);
	if (!pdev) {
		pr_err("variant %s needs QEMU's -device pvpanic-pci\n",
		       sim->table->name);
		return -ENODEV;
	}
	start = pci_resource_start(pdev, 0);
	pci_dev_put(pdev);
	if (!start) {
		pr_err("variant %s: pvpanic-pci has no BAR 0\n", sim->table->name);
		return -ENODEV;
	}
	for (i = 0; i + sizeof(le) <= table->length; i++) {
		memcpy(&le, p + i, sizeof(le));
		v = le64_to_cpu(le);
		if ((v & ~0xffffULL) != PVP_MEM_PLACEHOLDER)
			continue;
		le = cpu_to_le64(start + (v & 0xffff));
		memcpy(p + i, &le, sizeof(le));
		n++;
	}
	if (!n) {
		pr_err("variant %s: no address placeholder in the table\n",
		       sim->table->name);
		return -EINVAL;
	}
	table->checksum = 0;
	for (i = 0; i < table->length; i++)
		sum += p[i];
	table->checksum = -sum;
	pr_info("variant %s: register at pvpanic-pci BAR 0, %pa\n",
		sim->table->name, &start);
	return 0;
}

int pvpanic_sim_ssdt_load(void)
{
	struct pvpanic_sim *sim = &pvpanic_sim;
	struct acpi_table_header *copy, *installed;
	acpi_handle handle;
	acpi_status status;
	unsigned int i;

	/*
	 * ACPICA keeps a pointer to every table it ever installed (an
	 * unloaded table stays in the root table list and is compared
	 * against every later load), so the table must outlive this
	 * module: give ACPICA a copy it can keep.  A reload of the same
	 * variant reuses the copy already installed; ours is then freed.
	 */
	copy = kmemdup(sim->table->aml, sim->table->len, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	if (sim->table->target == PVPANIC_SIM_TARGET_PCI) {
		int ret = pvp_patch_mem(sim, copy);

		if (ret) {
			kfree(copy);
			return ret;
		}
	}

	status = acpi_load_table(copy, &sim->table_index);
	if (ACPI_FAILURE(status)) {
		/* Possibly installed but not loaded: keep the copy. */
		pr_err("cannot load SSDT variant %s: %s\n", sim->table->name,
		       acpi_format_exception(status));
		return status == AE_ALREADY_EXISTS ? -EEXIST : -EIO;
	}
	if (ACPI_SUCCESS(acpi_get_table_by_index(sim->table_index,
						 &installed))) {
		if (installed != copy)
			kfree(copy);
		acpi_put_table(installed);
	}

	/*
	 * The kernel enumerates the new devices from a work item; scan them
	 * now so that they exist when the module load returns.
	 */
	acpi_scan_lock_acquire();
	for (i = 0; i < sim->table->devices; i++)
		if (ACPI_SUCCESS(acpi_get_handle(NULL,
						 (char *)pvp_device_paths[i],
						 &handle)))
			acpi_bus_scan(handle);
	acpi_scan_lock_release();
	return 0;
}

void pvpanic_sim_ssdt_unload(void)
{
	struct acpi_device *adevs[PVPANIC_SIM_MAX_DEVICES] = { };
	struct pvpanic_sim *sim = &pvpanic_sim;
	struct acpi_device *adev;
	acpi_handle handle;
	struct device *dev;
	acpi_status status;
	unsigned int i;
	int tries;

	/*
	 * Unloading a table deletes its namespace nodes; the kernel drops the
	 * ACPI device objects (and their platform devices) later from a work
	 * item, while the node is already gone.  Remove the platform device
	 * first, while drivers bound to it can still evaluate its methods, and
	 * hold the scan lock so that no rescan enumerates it again.
	 */
	acpi_scan_lock_acquire();
	for (i = 0; i < sim->table->devices; i++) {
		if (ACPI_FAILURE(acpi_get_handle(NULL,
						 (char *)pvp_device_paths[i],
						 &handle)))
			continue;
		adev = acpi_fetch_acpi_dev(handle);
		if (!adev)
			continue;
		adevs[i] = acpi_dev_get(adev);
		dev = bus_find_device_by_acpi_dev(&platform_bus_type, adev);
		if (dev) {
			platform_device_unregister(to_platform_device(dev));
			put_device(dev);
		}
		acpi_bus_trim(adev);
	}
	status = acpi_unload_table(sim->table_index);
	acpi_scan_lock_release();
	if (ACPI_FAILURE(status))
		pr_err("cannot unload SSDT: %s\n",
		       acpi_format_exception(status));

	/* Wait for the kernel to drop the ACPI device objects. */
	for (i = 0; i < sim->table->devices; i++) {
		if (!adevs[i])
			continue;
		for (tries = 0; tries < 250; tries++) {
			if (!device_is_registered(&adevs[i]->dev))
				break;
			msleep(20);
		}
		if (device_is_registered(&adevs[i]->dev))
			pr_warn("ACPI device %s still registered\n",
				dev_name(&adevs[i]->dev));
		acpi_dev_put(adevs[i]);
	}
}
