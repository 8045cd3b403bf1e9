//! Prefetch hints: addresses the CPU may start loading before the code reaches them. Hints
//! only: none faults, reads anything into the program or changes memory.

/// Asks the CPU to bring a cache line in; a hint with no effect on memory.
#[inline]
pub(crate) fn prefetch_address(address: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults, even on an unmapped address, and reads nothing into the program.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(address as *const i8)
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

/// Asks the CPU to bring a cache line in, owned for writing (`prefetchw`); only where
/// [`has_prefetch_for_write`] said so. A plain prefetch of a line another core has written
/// brings a shared copy, and the write that follows waits for that core a second time, now
/// without a prefetch ahead of it. A hint with no effect on memory.
#[inline]
pub(crate) fn prefetch_address_for_write(address: usize) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch is a hint: it never faults, even on an unmapped address, and reads
    // nothing into the program; callers check the CPU has the instruction first. Inline
    // assembly because `_mm_prefetch` emits it only for builds that assume `prfchw` for every CPU.
    unsafe {
        std::arch::asm!("prefetchw [{0}]", in(reg) address, options(nostack, readonly, preserves_flags))
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

/// Whether this CPU has `prefetchw` (CPUID 8000_0001h, ECX bit 8: AMD since the K6, Intel
/// since Broadwell). Read once per engine.
pub(crate) fn has_prefetch_for_write() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::__cpuid;
        const EXTENDED_FEATURES: u32 = 0x8000_0001;
        const PRFCHW_BIT: u32 = 1 << 8;
        __cpuid(0x8000_0000).eax >= EXTENDED_FEATURES
            && __cpuid(EXTENDED_FEATURES).ecx & PRFCHW_BIT != 0
    }
    #[cfg(not(target_arch = "x86_64"))]
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hints on live, null, unmapped and misaligned addresses: none faults and none changes a
    /// byte (the portable fallback does nothing, so this is the x86_64 path's definition).
    #[test]
    fn prefetches_never_fault_and_change_nothing() {
        let buffer: Vec<u64> = (0..4096).map(|i| i * 0x9E37_79B9).collect();
        let before = buffer.clone();
        let for_write = has_prefetch_for_write();
        let base = buffer.as_ptr() as usize;
        let addresses = (0..buffer.len() * 8)
            .step_by(61)
            .map(|offset| base + offset)
            .chain([0, 1, 64, usize::MAX, usize::MAX - 63, 0xdead_0000_0000]);
        for address in addresses {
            prefetch_address(address);
            if for_write {
                prefetch_address_for_write(address);
            }
        }
        assert_eq!(buffer, before);
    }
}
