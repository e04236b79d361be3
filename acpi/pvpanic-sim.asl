/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SSDT for pvpanic_sim: a QEMU0001 (pvpanic) device in one of several
 * firmware shapes, the variants listed (with what each changes) in
 * acpi/variants.txt.  host-module/Kbuild compiles this file once per
 * variant with "iasl -D VARIANT_<name>"; without a VARIANT_* symbol the
 * result is the default table.
 *
 * The model's own variants reach pvpanic_sim through an OperationRegion in
 * an OEM address space that only that module serves: the byte registers
 * of include/pvpanic_sim_oem.h, one block per device (host-module/port.c
 * serves them).  Their _CRS names I/O port 0x538 (device 1: 0x539), which
 * nothing serves.
 *
 * The variants of target qemu and pci are firmware shapes other than
 * QEMU's, aimed at QEMU's own pvpanic device (-device pvpanic at port
 * 0x505, or -device pvpanic-pci): the events they cause reach QEMU.
 *
 * Every table also holds \_SB.PVBZ (Arg0): a method that stays inside the
 * interpreter for Arg0 x 100 us, for tests of a panic while another CPU
 * runs AML.
 */

/*
 * What each variant changes.  iasl's preprocessor has #ifdef, #ifndef and
 * #else but no defined() or #elif: each variant sets the features it uses.
 * QEMU_TARGET comes from the build, for the variants whose target in
 * acpi/variants.txt is QEMU's device (qemu, pci).
 */
#ifdef VARIANT_io_parent
#define PARENT_REGION
#define CRS_0505
#endif
#ifdef VARIANT_io_debug_real
#define PARENT_REGION
#define CRS_0505
#define DEBUG_PORT
#endif
#ifdef VARIANT_io_stale_crs
#define DEVICE_REGION
#define CRS_05A8
#endif
#ifdef VARIANT_io_read_first
#define DEVICE_REGION
#define CRS_0505
#define READ_FIRST
#endif
#ifdef VARIANT_io_rdpt_big
#define DEVICE_REGION
#define RDPT_OR_0100
#endif
#ifdef VARIANT_mem
#define MEMORY_REGION
#endif
#ifdef VARIANT_io_bare
#define CRS_0505
#define NO_METHODS
#endif
#ifdef VARIANT_io_bare_5a8
#define CRS_05A8
#define NO_METHODS
#endif
#ifdef VARIANT_mem_bare
#define CRS_MEM
#define NO_METHODS
#endif
#ifdef VARIANT_io_wide_crs
#define DEVICE_REGION
#define CRS_0500_WIDE
#endif
#ifdef VARIANT_io_illegal
#define DEVICE_REGION
#define CRS_0505
#define WRPT_ILLEGAL
#endif
#ifdef VARIANT_io_wrpt_ram
#define DEVICE_REGION
#define CRS_0505
#define WRPT_RAM
#endif
#ifdef VARIANT_io_reg
#define DEVICE_REGION
#define CRS_0505
#define REG_METHOD
#endif
#ifdef VARIANT_rdpt_string
#define RDPT_SPECIAL
#endif
#ifdef VARIANT_rdpt_buffer
#define RDPT_SPECIAL
#endif
#ifdef VARIANT_rdpt_big
#define RDPT_SPECIAL
#endif
#ifdef VARIANT_rdpt_fail
#define RDPT_SPECIAL
#endif
#ifdef VARIANT_wrpt_fail
#define WRPT_SPECIAL
#endif
#ifdef VARIANT_multi_store
#define WRPT_SPECIAL
#endif

#include "pvpanic_sim_oem.h"

DefinitionBlock ("", "SSDT", 2, "PVPSIM", "PVPANIC", 0x00000001)
{
    Scope (\_SB)
    {
        Method (PVBZ, 1, NotSerialized)
        {
            Local0 = Zero
            While (Local0 < Arg0)
            {
                Stall (100)
                Local0++
            }
        }

#ifdef QEMU_TARGET
#ifdef PARENT_REGION
        OperationRegion (PPOR, SystemIO, 0x0505, One)
        Field (PPOR, ByteAcc, NoLock, Preserve)
        {
            PPPT, 8
        }
#endif

        Device (PEVT)
        {
            Name (_HID, "QEMU0001")
            Name (_STA, 0x0B)
#ifdef CRS_0505
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0505, 0x0505, 0x01, 0x01)
            })
#endif
#ifdef CRS_05A8
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x05A8, 0x05A8, 0x01, 0x01)
            })
#endif
#ifdef CRS_0500_WIDE
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0500, 0x0500, 0x01, 0x10)
            })
#endif
#ifdef CRS_MEM
            /* 0x5056504D454D000x are replaced by the BAR address + x at load. */
            Name (_CRS, ResourceTemplate ()
            {
                QWordMemory (ResourceConsumer, PosDecode, MinFixed, MaxFixed,
                    NonCacheable, ReadWrite, 0x0, 0x5056504D454D0000,
                    0x5056504D454D0001, 0x0, 0x2)
            })
#endif
#ifdef DEVICE_REGION
            OperationRegion (PEOR, SystemIO, 0x0505, One)
            Field (PEOR, ByteAcc, NoLock, Preserve)
            {
                PEPT, 8
            }
#endif
#ifdef DEBUG_PORT
            OperationRegion (DBGR, SystemIO, 0x05A8, One)
            Field (DBGR, ByteAcc, NoLock, Preserve)
            {
                DBGP, 8
            }
#endif
#ifdef WRPT_ILLEGAL
            OperationRegion (PICR, SystemIO, 0x20, One)
            Field (PICR, ByteAcc, NoLock, Preserve)
            {
                PICP, 8
            }
#endif
#ifdef WRPT_RAM
            OperationRegion (RAMR, SystemMemory, 0x1000, One)
            Field (RAMR, ByteAcc, NoLock, Preserve)
            {
                RAMP, 8
            }
#endif
#ifdef REG_METHOD
            Name (REGC, Zero)
            Name (REGD, Zero)
            Method (_REG, 2, NotSerialized)
            {
                If (Arg1)
                {
                    REGC++
                }
                Else
                {
                    REGD++
                }
            }
#endif
#ifdef MEMORY_REGION
            /* 0x5056504D454D0000 is replaced by the BAR address at load. */
            OperationRegion (PEMR, SystemMemory, 0x5056504D454D0000, One)
            Field (PEMR, ByteAcc, NoLock, Preserve)
            {
                PEPT, 8
            }
#endif

#ifndef NO_METHODS
            Method (RDPT, 0, NotSerialized)
            {
#ifdef PARENT_REGION
                Local0 = PPPT
#else
                Local0 = PEPT
#endif
#ifdef RDPT_OR_0100
                Local0 |= 0x0100
#endif
                Return (Local0)
            }

            Method (WRPT, 1, NotSerialized)
            {
#ifdef DEBUG_PORT
                DBGP = Arg0
#endif
#ifdef PARENT_REGION
                PPPT = Arg0
#else
#ifdef READ_FIRST
                Local0 = PEPT
                PEPT = (Arg0 | (Local0 & Zero))
#else
#ifdef WRPT_ILLEGAL
                PICP = Arg0
#else
#ifdef WRPT_RAM
                RAMP = Arg0
#else
                PEPT = Arg0
#endif
#endif
#endif
#endif
            }
#endif /* NO_METHODS */
        }
#else /* the model's own variants, in OEM space */
        Device (PEVT)
        {
            Name (_HID, "QEMU0001")
#ifdef VARIANT_two_devices
            Name (_UID, Zero)
#endif
#ifndef VARIANT_no_crs
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0538, 0x0538, 0x01, 0x01)
            })
#endif
            OperationRegion (PEOR, PVP_SPACE_ID, 0, PVP_REG_STRIDE)
            Field (PEOR, ByteAcc, NoLock, Preserve)
            {
                Offset (PVP_REG_PORT),
                PEPT, 8,
                Offset (PVP_REG_SCRATCH),
                SCRT, 8,
                Offset (PVP_REG_FAIL),
                FAIL, 8
            }

#ifdef VARIANT_sta0
            Name (_STA, Zero)
#else
            Name (_STA, 0x0B)
#endif

#ifndef VARIANT_no_rdpt
            Method (RDPT, 0, NotSerialized)
            {
#ifdef VARIANT_rdpt_string
                Local0 = PEPT
                Return (ToDecimalString (Local0))
#endif
#ifdef VARIANT_rdpt_buffer
                Local0 = Buffer (One) { 0x00 }
                Local0 [Zero] = PEPT
                Return (Local0)
#endif
#ifdef VARIANT_rdpt_big
                Return (0x01FF)
#endif
#ifdef VARIANT_rdpt_fail
                Local0 = FAIL
                Return (Local0)
#endif
#ifndef RDPT_SPECIAL
                Local0 = PEPT
                Return (Local0)
#endif
            }
#endif

#ifndef VARIANT_no_wrpt
            Method (WRPT, 1, NotSerialized)
            {
#ifdef VARIANT_wrpt_fail
                FAIL = Arg0
#endif
#ifdef VARIANT_multi_store
                SCRT = Arg0
                PEPT = Arg0
#endif
#ifndef WRPT_SPECIAL
                PEPT = Arg0
#endif
            }
#endif
        }

#ifdef VARIANT_two_devices
        Device (PEV1)
        {
            Name (_HID, "QEMU0001")
            Name (_UID, One)
            Name (_CRS, ResourceTemplate ()
            {
                IO (Decode16, 0x0539, 0x0539, 0x01, 0x01)
            })
            OperationRegion (PEOR, PVP_SPACE_ID, PVP_REG_STRIDE, PVP_REG_STRIDE)
            Field (PEOR, ByteAcc, NoLock, Preserve)
            {
                Offset (PVP_REG_PORT),
                PEPT, 8
            }

            Name (_STA, 0x0B)

            Method (RDPT, 0, NotSerialized)
            {
                Local0 = PEPT
                Return (Local0)
            }

            Method (WRPT, 1, NotSerialized)
            {
                PEPT = Arg0
            }
        }
#endif
#endif /* QEMU_TARGET */
    }
}
