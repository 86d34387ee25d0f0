//! The held-out split `koe train` and `koe eval` share, and the seeded generator behind
//! it and behind training's shuffles.

use crate::sentiment::Label;

/// Which documents to hold out: per class, a seeded shuffle of its documents (in file
/// order), and the first `round(n_class · fraction)` of it. `true` = held out.
pub fn stratified_holdout(labels: &[Label], fraction: f64, seed: u64) -> Vec<bool> {
    let mut held_out = vec![false; labels.len()];
    let mut rng = SplitMix64::new(seed);
    for class in Label::ALL {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut members);
        let take = (members.len() as f64 * fraction.clamp(0.0, 1.0)).round() as usize;
        for &i in &members[..take] {
            held_out[i] = true;
        }
    }
    held_out
}

/// SplitMix64 (Steele, Lea & Flood 2014): a small, fully specified generator, so a seed
/// means the same shuffle on every platform and in every version of koe.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (Lemire's multiply-shift; the bias is below 2⁻⁴⁰ for n < 2²⁴).
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Fisher–Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holdout_is_stratified_and_seeded() {
        let labels: Vec<Label> = (0..100)
            .map(|i| match i % 10 {
                0 | 1 => Label::Negative,
                2..=5 => Label::Neutral,
                _ => Label::Positive,
            })
            .collect();
        let held = stratified_holdout(&labels, 0.3, 42);
        let count = |l: Label| (0..100).filter(|&i| held[i] && labels[i] == l).count();
        assert_eq!(
            (
                count(Label::Negative),
                count(Label::Neutral),
                count(Label::Positive)
            ),
            (6, 12, 12)
        );
        assert_eq!(held, stratified_holdout(&labels, 0.3, 42));
        assert_ne!(held, stratified_holdout(&labels, 0.3, 43));
        let mut rng = SplitMix64::new(0);
        assert!((0..1000).all(|_| rng.below(3) < 3));
    }
}
