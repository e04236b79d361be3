/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic_acpi: the QEMU0001 pvpanic device driven through its ACPI methods.
 *
 * core.c knows nothing of ACPI: the bound devices, the panic notifier, the
 * power-off handler, sysfs and the debugfs trigger.  learn.c owns every
 * evaluation of the device's AML and learns, once, what WRPT writes.
 * acpi.c is the platform driver: it reads the capability, asks learn.c and
 * chooses the anchors of the panic path.  Calls go acpi.c -> core.c and
 * acpi.c -> learn.c, never back.
 */
#ifndef PVPANIC_ACPI_H
#define PVPANIC_ACPI_H

#include <linux/acpi.h>
#include <linux/bits.h>
#include <linux/list.h>
#include <linux/types.h>
#include <uapi/misc/pvpanic.h>

#ifndef PVPANIC_SHUTDOWN		/* <uapi/misc/pvpanic.h> before 6.10 */
#define PVPANIC_SHUTDOWN	BIT(2)
#endif
#define PVPANIC_KNOWN_EVENTS	(PVPANIC_PANICKED | PVPANIC_CRASH_LOADED | \
				 PVPANIC_SHUTDOWN)

struct dentry;
struct pvpanic_acpi;

/* What the panic path does first when policy=acpi: evaluate WRPT. */
typedef bool (*pvpanic_acpi_live_fn)(struct pvpanic_acpi *pa, u8 event);

struct pvpanic_acpi {
	struct device *dev;
	struct list_head list;		/* on the core's RCU list */

	u8 capability;			/* what the device offers, known bits */
	u8 events;			/* user mask, subset of capability */

	/*
	 * The panic path: live WRPT first when set (policy=acpi), then one
	 * iowrite8() per anchor: the learned WRPT register and/or the _CRS
	 * register.
	 */
	pvpanic_acpi_live_fn live;
	unsigned int nr_anchors;
	void __iomem *anchor[2];

	/* debugfs <dev>/path: the path, what was learned, why. */
	char path[64];
	char learned[160];
	char why[128];
	struct dentry *debugfs;
};

/* core.c */
int pvpanic_acpi_core_init(void);
void pvpanic_acpi_core_exit(void);
int pvpanic_acpi_add(struct pvpanic_acpi *pa);
void pvpanic_acpi_write_anchors(struct pvpanic_acpi *pa, u8 event);
extern const struct attribute_group *pvpanic_acpi_groups[];

/* learn.c */

/* What WRPT was seen to do: one byte store of its argument. */
struct pvpanic_acpi_recipe {
	u8 space_id;			/* ACPI_ADR_SPACE_SYSTEM_IO or _MEMORY */
	u64 address;
};

void pvpanic_acpi_aml_enter(void);
void pvpanic_acpi_aml_exit(void);
acpi_status pvpanic_acpi_eval_wrpt(acpi_handle handle, u8 value);
bool pvpanic_acpi_wrpt_live(acpi_handle handle, u8 value);
int pvpanic_acpi_learn(acpi_handle handle, struct pvpanic_acpi_recipe *recipe,
		       char *why, size_t len);
void pvpanic_acpi_learn_exit(void);

#endif /* PVPANIC_ACPI_H */
