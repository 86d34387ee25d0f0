//! The step size of fine-tuning: a linear warm-up, then a linear decay to zero.

/// The step size for 0-based `step` of `total`: rises over the first `warmup` steps to
/// `peak` (the first step already takes `peak / warmup`), then falls linearly so that
/// the step after the last would take zero.
pub(crate) fn learning_rate(step: u64, total: u64, warmup: u64, peak: f64) -> f64 {
    if step < warmup {
        return peak * (step + 1) as f64 / warmup as f64;
    }
    let left = total.saturating_sub(step) as f64;
    peak * left / total.saturating_sub(warmup).max(1) as f64
}

#[cfg(test)]
mod tests {
    use super::learning_rate;

    #[test]
    fn warms_up_then_decays_to_zero() {
        let lr = |step| learning_rate(step, 10, 2, 1.0);
        assert_eq!(lr(0), 0.5);
        assert_eq!(lr(1), 1.0);
        assert_eq!(lr(2), 1.0);
        assert!((lr(6) - 0.5).abs() < 1e-12);
        assert!((lr(9) - 0.125).abs() < 1e-12);
        assert_eq!(lr(10), 0.0);
        let rates: Vec<f64> = (2..10).map(lr).collect();
        assert!(rates.windows(2).all(|w| w[0] > w[1]), "{rates:?}");
    }

    #[test]
    fn no_warmup_starts_at_the_peak() {
        assert_eq!(learning_rate(0, 4, 0, 2e-5), 2e-5);
        assert_eq!(learning_rate(3, 4, 0, 2e-5), 0.5e-5);
    }
}
