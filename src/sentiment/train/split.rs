//! The held-out split `koe train` and `koe eval` share.

use crate::rng::SplitMix64;
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
