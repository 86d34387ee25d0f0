//! Topics as the report reads them: a generation's `topics.json`, written by the topics stage, →
//! pain points ranked by impact and the themes customers praise.
//!
//! Every field is optional (`#[serde(default)]`), so a topics file from an older or newer
//! koe still gives what it has; only a file that is not JSON of this shape is an error.
//! A topic is a pain point when its records lean negative (mean sentiment below 0, more
//! than half labelled negative, or a mean rating below 3) and a positive theme when they
//! lean positive (mean sentiment above 0 or a mean rating of 4 or more).

use serde::{Deserialize, Serialize};

use super::format;
use crate::analysis::{self, Generation};

/// What the report knows about topics.
#[derive(Debug, Clone, PartialEq)]
pub enum TopicsStatus {
    Loaded(Vec<Topic>),
    /// No topics.json in the folder.
    Missing,
}

/// The part of topics.json the report uses.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct TopicsFile {
    topics: Vec<Topic>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Topic {
    pub id: u32,
    pub label: String,
    pub terms: Vec<TopicTerm>,
    /// Records in the topic.
    pub size: u64,
    /// Share of all records, in percent (as `topics.json` has it).
    pub share: Option<f64>,
    pub mean_sentiment: Option<f64>,
    /// Share of the topic's records negative on it, in percent.
    pub share_negative: Option<f64>,
    pub mean_rating: Option<f64>,
    pub nps: Option<f64>,
    /// How much the topic weighs on satisfaction, as the topics stage measures it
    /// (ranked by magnitude, so either sign convention ranks the same).
    pub impact: Option<f64>,
    pub trend: Vec<TrendPoint>,
    /// Change in records per period (least squares).
    pub slope: Option<f64>,
    /// Growing faster than the others of late.
    pub emerging: bool,
    pub examples: Vec<Example>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TopicTerm {
    pub term: String,
    pub lang: Option<String>,
    pub weight: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TrendPoint {
    pub period: String,
    pub count: u64,
    pub mean_sentiment: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Example {
    pub id: String,
    pub text: String,
    /// A score (−1..1) or a label; shown as given.
    pub sentiment: Option<serde_json::Value>,
}

impl Example {
    /// The sentiment as a short string: `−0.62`, `negative`, or empty.
    pub fn sentiment_text(&self) -> String {
        match &self.sentiment {
            Some(serde_json::Value::Number(n)) => n
                .as_f64()
                .map(|v| format!("{v:+.2}").replace('-', "−"))
                .unwrap_or_default(),
            Some(serde_json::Value::String(s)) => s.clone(),
            _ => String::new(),
        }
    }
}

impl Topic {
    pub fn is_pain_point(&self) -> bool {
        self.mean_sentiment.is_some_and(|s| s < 0.0)
            || self.share_negative.is_some_and(|s| s > 50.0)
            || self.mean_rating.is_some_and(|r| r < 3.0)
    }

    pub fn is_positive(&self) -> bool {
        !self.is_pain_point()
            && (self.mean_sentiment.is_some_and(|s| s > 0.0)
                || self.mean_rating.is_some_and(|r| r >= 4.0))
    }

    /// How the topic ranks among pain points: |impact|, else records × share negative.
    fn pain(&self) -> f64 {
        self.impact
            .map(f64::abs)
            .unwrap_or_else(|| self.size as f64 * self.share_negative.unwrap_or(0.0) / 100.0)
    }

    /// The topic's figures as short phrases (plain text: escape before use).
    pub fn facts(&self) -> Vec<String> {
        let mut facts = vec![match self.share {
            Some(share) => format!(
                "{} comments ({}%)",
                format::count(self.size),
                format::plain(share, 1)
            ),
            None => format!("{} comments", format::count(self.size)),
        }];
        if let Some(nps) = self.nps {
            facts.push(format!("NPS {}", format::signed(nps, 0)));
        }
        if let Some(s) = self.mean_sentiment {
            facts.push(format!("sentiment {}", format::signed(s, 2)));
        }
        if let Some(s) = self.share_negative {
            facts.push(format!("{}% negative", format::plain(s, 0)));
        }
        if let Some(r) = self.mean_rating {
            facts.push(format!("★ {}", format::plain(r, 1)));
        }
        if let Some(slope) = self.slope {
            facts.push(format!("trend {}/period", format::signed(slope, 1)));
        }
        if let Some(impact) = self.impact {
            facts.push(format!("impact {}", format::plain(impact, 1)));
        }
        facts
    }

    /// The label, or the top terms when the topics stage gave none.
    pub fn title(&self) -> String {
        if !self.label.trim().is_empty() {
            return self.label.clone();
        }
        let terms: Vec<&str> = self.terms.iter().take(3).map(|t| t.term.as_str()).collect();
        if terms.is_empty() {
            format!("topic {}", self.id)
        } else {
            terms.join(" · ")
        }
    }
}

/// Reads the generation's `topics.json`; a missing file is [`TopicsStatus::Missing`], not
/// an error.
pub fn load(generation: &Generation) -> Result<TopicsStatus, analysis::Error> {
    Ok(match generation.topics::<TopicsFile>()? {
        Some(file) => TopicsStatus::Loaded(file.topics),
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
    pains.sort_by(|a, b| b.pain().total_cmp(&a.pain()).then(b.size.cmp(&a.size)));
    pains
}

/// Positive themes, largest first.
pub fn positive_themes(topics: &[Topic]) -> Vec<Topic> {
    let mut themes: Vec<Topic> = topics.iter().filter(|t| t.is_positive()).cloned().collect();
    themes.sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    themes
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_fields_default_and_topics_split_by_polarity() {
        let json = r#"{"topics": [
            {"id": 1, "label": "配送遅延", "size": 40, "mean_sentiment": -0.5, "impact": -12.0},
            {"id": 2, "size": 80, "share_negative": 70.0, "impact": -30.0,
             "terms": [{"term": "app"}, {"term": "crash"}]},
            {"id": 3, "label": "quality", "size": 50, "mean_rating": 4.6},
            {"id": 4, "label": "questions", "size": 10, "mean_sentiment": 0.0},
            {"id": 5}
        ], "quality": {"whatever": true}}"#;
        let file: TopicsFile = serde_json::from_str(json).unwrap();
        let pains = pain_points(&file.topics);
        let ids: Vec<u32> = pains.iter().map(|t| t.id).collect();
        assert_eq!(ids, [2, 1], "ranked by |impact|");
        assert_eq!(pains[0].title(), "app · crash");
        let positive: Vec<u32> = positive_themes(&file.topics).iter().map(|t| t.id).collect();
        assert_eq!(positive, [3]);
        assert_eq!(file.topics[4].title(), "topic 5");
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
    fn example_sentiment_is_a_score_or_a_label() {
        let score: Example = serde_json::from_str(r#"{"sentiment": -0.63}"#).unwrap();
        assert_eq!(score.sentiment_text(), "−0.63");
        let label: Example = serde_json::from_str(r#"{"sentiment": "negative"}"#).unwrap();
        assert_eq!(label.sentiment_text(), "negative");
    }
}
