//! Reconnect backoff: exponential, with full jitter.

/// A small xorshift generator: enough to spread reconnects, not for secrets.
#[derive(Debug, Clone)]
pub struct Jitter(u64);

impl Jitter {
    /// A generator seeded from `seed` (any value; zero is replaced).
    pub fn new(seed: u64) -> Self {
        Jitter(if seed == 0 {
            0x9E37_79B9_7F4A_7C15
        } else {
            seed
        })
    }

    /// The next value, uniform over `u64`.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// A value in `[0, bound)`; 0 when `bound` is 0.
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            0
        } else {
            self.next_u64() % bound
        }
    }
}

/// The delay before reconnect attempt `failures` (1 after the first failure): uniform in
/// `[0, min(max_ms, initial_ms * 2^(failures-1)))`, as the protocol's full jitter.
pub fn backoff_delay_ms(failures: u32, initial_ms: u64, max_ms: u64, jitter: &mut Jitter) -> u64 {
    let exponent = failures.saturating_sub(1).min(30);
    let cap = initial_ms.saturating_mul(1u64 << exponent).min(max_ms);
    jitter.below(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_stay_under_a_cap_that_doubles_up_to_the_maximum() {
        let mut jitter = Jitter::new(42);
        for failures in 1..12u32 {
            let cap = (250u64 << (failures - 1)).min(10_000);
            for _ in 0..200 {
                assert!(backoff_delay_ms(failures, 250, 10_000, &mut jitter) < cap);
            }
        }
    }

    #[test]
    fn delays_are_spread_out_not_fixed() {
        let mut jitter = Jitter::new(7);
        let delays: Vec<u64> = (0..50)
            .map(|_| backoff_delay_ms(4, 250, 10_000, &mut jitter))
            .collect();
        let min = *delays.iter().min().unwrap();
        let max = *delays.iter().max().unwrap();
        assert!(max - min > 1000, "spread {min}..{max}");
    }
}
