/* SPDX-License-Identifier: GPL-2.0 */
/*
 * SSDT for pvpanic_sim: a QEMU0001 (pvpanic) device whose RDPT/WRPT reach
 * the pvpanic_sim module through an OperationRegion in the OEM address
 * space 0x80, which only that module serves.
 *
 * One source, several tables: host-module/Kbuild compiles it once per
 * variant with "iasl -D VARIANT_<name>".  Without a VARIANT_* symbol the
 * result is the default table.
 *
 * OEM space 0x80 layout (byte registers, see host-module/model.c):
 *   0x00  pvpanic port of device 0 (read: capability, write: event)
 *   0x08  scratch register of device 0 (read/write memory, no effect)
 *   0x0f  failing register of device 0 (every access fails: AE_ERROR)
 *   0x10  pvpanic port of device 1 (two_devices only)
 *   0x18  scratch register of device 1, 0x1f failing register of device 1
 *
 * The device's _CRS names I/O port 0x538 (device 1: 0x539); nothing serves
 * those ports, the module only sees what RDPT/WRPT do.
 */

/* default: the device as QEMU builds it, but its register in OEM space */
/* no_rdpt: RDPT is missing */
/* rdpt_string: RDPT returns the capability as a decimal String */
/* rdpt_buffer: RDPT returns the capability as a one-byte Buffer */
/* rdpt_big: RDPT returns 0x1ff, a value that does not fit the byte */
/* rdpt_fail: RDPT reads the failing register, so the method fails */
/* no_wrpt: WRPT is missing */
/* wrpt_fail: WRPT writes the failing register, so the method fails */
/* sta0: _STA returns 0 (not present), the device must not be enumerated */
/* no_crs: _CRS is missing */
/* two_devices: two QEMU0001 devices (_UID 0 and 1), each its own port */
/* multi_store: WRPT stores Arg0 to a scratch register, then to the port */

/* Variants that replace the usual RDPT / WRPT body */
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

DefinitionBlock ("", "SSDT", 2, "PVPSIM", "PVPANIC", 0x00000001)
{
    Scope (\_SB)
    {
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
            OperationRegion (PEOR, 0x80, 0x00, 0x10)
            Field (PEOR, ByteAcc, NoLock, Preserve)
            {
                PEPT, 8,
                Offset (0x08),
                SCRT, 8,
                Offset (0x0F),
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
            OperationRegion (PEOR, 0x80, 0x10, 0x10)
            Field (PEOR, ByteAcc, NoLock, Preserve)
            {
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
    }
}
