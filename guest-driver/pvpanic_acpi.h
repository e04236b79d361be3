/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic_acpi: the QEMU0001 pvpanic device driven through its ACPI methods.
 *
 * core.c is bus-agnostic: the instance list, the panic notifier, the send
 * paths, sysfs and debugfs.  acpi.c is the front end: it probes RDPT, learns
 * what WRPT does and fills in a struct pvpanic_acpi for the core.
 */
#ifndef PVPANIC_ACPI_H
#define PVPANIC_ACPI_H

#include <linux/acpi.h>
#include <linux/atomic.h>
#include <linux/list.h>
#include <linux/types.h>

struct dentry;

#define PVPANIC_PANICKED	BIT(0)
#define PVPANIC_CRASH_LOADED	BIT(1)
#define PVPANIC_KNOWN_EVENTS	(PVPANIC_PANICKED | PVPANIC_CRASH_LOADED)

enum pvpanic_acpi_policy {
	PVPANIC_POLICY_AUTO,	/* replay, else live WRPT, else _CRS port */
	PVPANIC_POLICY_ACPI,	/* always live WRPT, else _CRS port */
	PVPANIC_POLICY_IO,	/* _CRS port only, as upstream pvpanic-mmio */
};

enum pvpanic_acpi_path {
	PVPANIC_PATH_NONE,
	PVPANIC_PATH_REPLAY,
	PVPANIC_PATH_LIVE,
	PVPANIC_PATH_PORT,
};

/* One access seen by the address-space handler in learn mode. */
struct pvpanic_acpi_access {
	u32 function;		/* ACPI_READ or ACPI_WRITE */
	u32 bit_width;
	u64 address;
	u64 value;
};

#define PVPANIC_LEARN_MAX	4

struct pvpanic_acpi {
	struct device *dev;
	acpi_handle handle;
	struct list_head list;		/* on the core's RCU list */

	u8 capability;			/* RDPT & PVPANIC_KNOWN_EVENTS */
	u8 events;			/* user mask, subset of capability */

	enum pvpanic_acpi_path path;	/* first choice in the panic path */
	bool wrpt_ok;			/* WRPT exists and evaluated fine */
	void __iomem *replay_base;	/* learned WRPT target, pre-mapped */
	u64 replay_addr;
	void __iomem *port_base;	/* _CRS I/O port, last resort */
	unsigned long port;

	/* Address-space handler state (learn mode records and swallows). */
	bool handler_installed;
	bool learning;
	unsigned int nr_seen;
	struct pvpanic_acpi_access seen[PVPANIC_LEARN_MAX];

	struct dentry *debugfs;
};

extern enum pvpanic_acpi_policy pvpanic_acpi_policy;

int pvpanic_acpi_core_init(void);
void pvpanic_acpi_core_exit(void);
int pvpanic_acpi_add(struct pvpanic_acpi *pa);
void pvpanic_acpi_report_panic(void);
void pvpanic_acpi_aml_enter(void);
void pvpanic_acpi_aml_exit(void);
acpi_status pvpanic_acpi_eval_wrpt(acpi_handle handle, u8 value);
void pvpanic_acpi_path_name(const struct pvpanic_acpi *pa, char *buf,
			    size_t len);

extern const struct attribute_group *pvpanic_acpi_groups[];

#endif /* PVPANIC_ACPI_H */
