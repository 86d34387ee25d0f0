//! Pain-point figures for groups of records the topics stage did not find: the
//! analyst's taxonomy categories ([`crate::taxonomy`]) are measured with the very tally
//! topics use (`painpoints`), so a category's NPS, impact and trend mean what a topic's do.
//!
//! A caller adds each record with the groups it belongs to and its sentiment on each
//! (the record's "mentions"); [`GroupTally::figures`] then returns one [`Topic`] per
//! group (label, terms and examples left empty) and the [`Overall`] figures. Memory: about
//! 40 bytes per record and 16 per mention.

use super::collector::{DocMeta, Interner};
use super::mentions::{Mention, Mentions};
use super::painpoints::{self, Facets};
use super::{Overall, Period, Topic};
use crate::record::Analysed;

/// A record's membership of one group, and how it feels about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupMention {
    pub group: u32,
    /// The record's sentences (or clauses) in the group.
    pub parts: u32,
    /// Mean sentiment (-1..1) of those parts.
    pub sentiment: f32,
    /// Negative on the group (the rule of [`Mentions`]).
    pub negative: bool,
}

/// Every record's survey facts and group mentions, until [`GroupTally::figures`].
pub struct GroupTally {
    period: Period,
    docs: Vec<DocMeta>,
    mentions: Mentions,
    channels: Interner,
    stages: Interner,
}

impl GroupTally {
    pub fn new(period: Period) -> Self {
        GroupTally {
            period,
            docs: Vec::new(),
            mentions: Mentions {
                offsets: vec![0],
                list: Vec::new(),
            },
            channels: Interner::default(),
            stages: Interner::default(),
        }
    }

    /// Adds the next record with its groups (none: it counts in the overall figures only).
    pub fn add(&mut self, analysed: &Analysed, groups: &[GroupMention]) {
        self.docs.push(DocMeta::of(
            analysed,
            &mut self.channels,
            &mut self.stages,
            self.period,
        ));
        self.mentions.list.extend(groups.iter().map(|g| Mention {
            topic: g.group,
            clauses: g.parts,
            similarity: 1.0,
            sentiment: g.sentiment,
            negative: g.negative,
        }));
        self.mentions.offsets.push(self.mentions.list.len());
    }

    /// Figures of groups `0..groups`, in that order, and over all records.
    pub fn figures(&self, groups: usize) -> (Vec<Topic>, Overall) {
        let facets = Facets {
            channels: &self.channels.names,
            stages: &self.stages.names,
            period: self.period,
        };
        painpoints::pain_points(&self.docs, &self.mentions, groups, &facets)
    }
}
