// SPDX-License-Identifier: GPL-2.0
/*
 * A module that turns lock debugging off on load without a word, for the
 * harness's own test on a lockdep kernel: the guest must fail because
 * lockdep was off at the end, even though nothing was logged. Its name
 * must not say "lockdep": splat.re would match its taint message.
 */
#include <linux/debug_locks.h>
#include <linux/module.h>

static int __init locks_off_test_init(void)
{
	debug_locks_off();
	return 0;
}
module_init(locks_off_test_init);

static void __exit locks_off_test_exit(void)
{
}
module_exit(locks_off_test_exit);

MODULE_DESCRIPTION("Silently turns lockdep off, for the VM harness self-test");
MODULE_LICENSE("GPL");
MODULE_INFO(test, "Y");
