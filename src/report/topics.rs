//! Topics as the report shows them: a generation's `topics.json`, read as the topics
//! stage's own [`Topics`] type, → pain points ranked by impact and the themes customers
//! praise ([`Topic::is_pain_point`] and [`Topic::is_positive`] say which is which).

use super::format;
use crate::analysis::{self, Generation, Part};
pub use crate::topics::Topic;
use crate::topics::Topics;

impl Generation {
    /// The topics the run found (`topics.json`, the topics stage's one type); `None`
    /// when it ran with `--no-topics`.
    pub fn topics(&self) -> Result<Option<Topics>, analysis::Error> {
        self.read_json(Part::Topics)
    }
}

/// What the report knows about topics.
#[derive(Debug, Clone, PartialEq)]
pub enum TopicsStatus {
    Loaded(Vec<Topic>),
    /// No topics.json in the folder.
    Missing,
}

/// Reads the generation's `topics.json`; a missing file is [`TopicsStatus::Missing`], not
/// an error.
pub fn load(generation: &Generation) -> Result<TopicsStatus, analysis::Error> {
    Ok(match generation.topics()? {
        Some(Topics { topics, .. }) => TopicsStatus::Loaded(topics),
        None => TopicsStatus::Missing,
    })
}

/// Pain points, largest impact first.
pub fn pain_points(topics: &[Topic]) -> Vec<Topic> {
    let mut pains: Vec<Topic> = topics
        .iter()
        .filter(|t| t.is_pain_point())
        .cloned()
        .collect();
    pains.sort_by(|a, b| b.impact.total_cmp(&a.impact).then(b.size.cmp(&a.size)));
    pains
}

/// Positive themes, largest first.
pub fn positive_themes(topics: &[Topic]) -> Vec<Topic> {
    let mut themes: Vec<Topic> = topics.iter().filter(|t| t.is_positive()).cloned().collect();
    themes.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    themes
}

/// The topic's figures as short phrases (plain text: escape before use).
pub fn facts(t: &Topic) -> Vec<String> {
    let mut facts = vec![
        format!(
            "{} comments ({}%)",
            format::count(t.size as u64),
            format::plain(t.share, 1)
        ),
        format!("sentiment {}", format::signed(t.mean_sentiment, 2)),
        format!("{}% negative", format::plain(t.share_negative, 0)),
    ];
    if let Some(nps) = t.nps {
        facts.insert(1, format!("NPS {}", format::signed(nps, 0)));
    }
    if let Some(r) = t.mean_rating {
        facts.push(format!("★ {}", format::plain(r, 1)));
    }
    if t.trend.len() > 1 {
        facts.push(format!("trend {}/period", format::signed(t.slope, 1)));
    }
    facts.push(format!("impact {}", format::plain(t.impact, 1)));
    facts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn topic(id: u32, size: usize, mean_sentiment: f64, impact: f64) -> Topic {
        Topic {
            id,
            size,
            mean_sentiment,
            impact,
            ..Topic::default()
        }
    }

    #[test]
    fn topics_split_by_polarity_and_rank_by_impact() {
        let topics = [
            topic(1, 40, -0.5, 12.0),
            Topic {
                share_negative: 70.0,
                ..topic(2, 80, 0.1, 30.0)
            },
            Topic {
                mean_rating: Some(4.6),
                ..topic(3, 50, 0.0, 0.0)
            },
            topic(4, 10, 0.0, 0.0),
        ];
        let ids = |ts: Vec<Topic>| ts.iter().map(|t| t.id).collect::<Vec<_>>();
        assert_eq!(ids(pain_points(&topics)), [2, 1], "ranked by impact");
        assert_eq!(ids(positive_themes(&topics)), [3]);
    }

    #[test]
    fn a_missing_file_is_not_an_error_but_a_broken_one_is() {
        let dir = tempfile::tempdir().unwrap();
        let folder = analysis::AnalysisDir::new(dir.path().join("out"));
        let generation = folder.begin_run(None).unwrap().publish().unwrap();
        assert_eq!(load(&generation).unwrap(), TopicsStatus::Missing);
        let path = generation.path(analysis::Part::Topics);
        std::fs::write(path, "{\"topics\": 3}").unwrap();
        assert!(matches!(
            load(&generation),
            Err(analysis::Error::Json { .. })
        ));
    }

    #[test]
    fn facts_read_as_phrases() {
        let t = Topic {
            share: 12.5,
            nps: Some(-33.3),
            share_negative: 80.0,
            ..topic(0, 1234, -0.62, 4.3)
        };
        assert_eq!(
            facts(&t),
            [
                "1,234 comments (12.5%)",
                "NPS −33",
                "sentiment −0.62",
                "80% negative",
                "impact 4.3"
            ]
        );
    }
}
