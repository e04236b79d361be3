/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic_acpi: the QEMU0001 pvpanic device driven through its ACPI methods.
 *
 * core.c knows nothing of ACPI: the instance list, the panic and power-off
 * handlers, the port/memory writes of the panic path, sysfs and the test
 * trigger.  acpi.c is the platform driver: it reads RDPT and _CRS and picks
 * the panic path.  learn.c hooks the device's address spaces to learn what
 * WRPT writes, and puts ACPICA's own handlers back when the module goes.
 */
#ifndef PVPANIC_ACPI_H
#define PVPANIC_ACPI_H

#include <linux/acpi.h>
#include <linux/bits.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/types.h>
#include <uapi/misc/pvpanic.h>

#ifndef PVPANIC_SHUTDOWN		/* <uapi/misc/pvpanic.h> before 6.10 */
#define PVPANIC_SHUTDOWN	BIT(2)
#endif
#define PVPANIC_KNOWN_EVENTS	(PVPANIC_PANICKED | PVPANIC_CRASH_LOADED | \
				 PVPANIC_SHUTDOWN)

struct dentry;
struct sys_off_handler;
struct pvpanic_acpi;

/* What the panic path does when policy=acpi: evaluate WRPT. */
typedef bool (*pvpanic_acpi_live_fn)(struct pvpanic_acpi *pa, u8 event);

#define PVPANIC_MAX_ANCHORS	2

struct pvpanic_acpi {
	struct device *dev;
	struct list_head list;		/* on the core's RCU list */

	u8 capability;			/* RDPT & PVPANIC_KNOWN_EVENTS */
	u8 events;			/* user mask, subset of capability */

	/*
	 * The panic path: live WRPT first when set (policy=acpi), then one
	 * iowrite8() per anchor: the learned WRPT target and/or the _CRS port.
	 */
	pvpanic_acpi_live_fn live;
	unsigned int nr_anchors;
	void __iomem *anchor[PVPANIC_MAX_ANCHORS];

	struct mutex sys_off_lock;	/* serialises events_store */
	struct sys_off_handler *sys_off;

	/* debugfs <dev>/path: the path, what was learned, why. */
	char path[48];
	char learned[192];
	char reason[128];
	struct dentry *debugfs;
};

/* core.c */
int pvpanic_acpi_core_init(void);
void pvpanic_acpi_core_exit(void);
int pvpanic_acpi_add(struct pvpanic_acpi *pa);
struct dentry *pvpanic_acpi_debugfs_dir(struct pvpanic_acpi *pa);
extern const struct attribute_group *pvpanic_acpi_groups[];

/* learn.c */
struct pvpanic_acpi_node;

/* What WRPT was seen to do, when it is exactly one byte write of Arg0. */
struct pvpanic_acpi_recipe {
	u8 space_id;			/* ACPI_ADR_SPACE_SYSTEM_IO or _MEMORY */
	u64 address;
};

struct pvpanic_acpi_node *pvpanic_acpi_node_get(struct device *dev,
						acpi_handle handle, bool hook);
bool pvpanic_acpi_node_hooked(const struct pvpanic_acpi_node *node);
bool pvpanic_acpi_node_test_and_set_reported(struct pvpanic_acpi_node *node);
int pvpanic_acpi_learn(struct pvpanic_acpi_node *node, struct device *dev,
		       struct pvpanic_acpi_recipe *recipe, char *why,
		       size_t len);
void pvpanic_acpi_nodes_release(void);
acpi_status pvpanic_acpi_eval_wrpt(acpi_handle handle, u8 value);
void pvpanic_acpi_aml_enter(void);
void pvpanic_acpi_aml_exit(void);
bool pvpanic_acpi_aml_try_enter(void);

#endif /* PVPANIC_ACPI_H */
