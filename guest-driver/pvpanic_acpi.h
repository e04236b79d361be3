/* SPDX-License-Identifier: GPL-2.0 */
/*
 * pvpanic_acpi: the QEMU0001 pvpanic device driven through its ACPI methods.
 *
 * main.c is the driver: probe, the panic notifier, the power-off handler,
 * sysfs and debugfs.  learn.c owns the driver's evaluations of WRPT and
 * learns, once per ACPI node, what WRPT writes.  Calls go main.c ->
 * learn.c, never back.
 */
#ifndef PVPANIC_ACPI_H
#define PVPANIC_ACPI_H

#include <linux/acpi.h>
#include <linux/bits.h>
#include <linux/types.h>
#include <uapi/misc/pvpanic.h>

#ifndef PVPANIC_SHUTDOWN		/* <uapi/misc/pvpanic.h> before 6.10 */
#define PVPANIC_SHUTDOWN	BIT(2)
#endif
#define PVPANIC_KNOWN_EVENTS	(PVPANIC_PANICKED | PVPANIC_CRASH_LOADED | \
				 PVPANIC_SHUTDOWN)

/* What became of learning WRPT at a bind. */
enum pvpanic_acpi_outcome {
	PVPANIC_LEARN_NO_WRPT,		/* the device has no WRPT method */
	PVPANIC_LEARN_POLICY_IO,	/* policy=io: not tried */
	PVPANIC_LEARN_RECIPE,		/* WRPT(0) is one byte store of 0 */
	PVPANIC_LEARN_UNSEEN,		/* no access the hooks could see */
	PVPANIC_LEARN_NOT_ONE_STORE,	/* something else (logged) */
	PVPANIC_LEARN_FAILED,		/* WRPT(0) failed (logged) */
	PVPANIC_LEARN_BLOCKED,		/* another handler at the node */
	PVPANIC_LEARN_NR
};

struct pvpanic_acpi_learnt {
	u8 outcome;			/* enum pvpanic_acpi_outcome */
	bool io;			/* RECIPE: SystemIO, else SystemMemory */
	bool remembered;		/* kept on the node by an earlier bind */
	u64 address;			/* RECIPE: the register */
};

void pvpanic_acpi_aml_enter(void);
void pvpanic_acpi_aml_exit(void);
acpi_status pvpanic_acpi_eval_wrpt(acpi_handle handle, u8 value);
bool pvpanic_acpi_wrpt_live(acpi_handle handle, u8 value);
void pvpanic_acpi_learn(struct device *dev, acpi_handle handle,
			struct pvpanic_acpi_learnt *l);
void pvpanic_acpi_learn_exit(void);

#endif /* PVPANIC_ACPI_H */
