//! SentencePiece's text normaliser, as `normalizer.cc` runs it: at each position the
//! longest rule of the precompiled character map (a darts-clone double-array trie over
//! UTF-8 bytes, here NFKC plus SentencePiece's own folds) replaces the matched bytes;
//! leading, trailing and repeated spaces go; a space (`▁` when escaped) is put first; and
//! every output byte remembers the input byte it came from, so pieces can be mapped back
//! to spans of the original text.

use super::Error;

/// The space marker that stands for whitespace in pieces.
pub const SPACE: &str = "\u{2581}";

pub struct Normalizer {
    /// darts-clone units of the character map's trie (empty: no rules).
    units: Vec<u32>,
    /// The rules' replacements, each ending in a NUL byte; trie values index into it.
    replacements: String,
    /// User-defined pieces, which pass through the normaliser unchanged.
    verbatim: Vec<String>,
    add_dummy_prefix: bool,
    remove_extra_whitespaces: bool,
    escape_whitespaces: bool,
}

/// Normalised text and, for each of its bytes (and one past the end), the offset of the
/// input byte it came from.
#[derive(Default)]
pub struct Normalized {
    pub text: String,
    pub origins: Vec<usize>,
}

impl Normalizer {
    pub fn new(
        spec: &super::proto::NormalizerSpec<'_>,
        verbatim: Vec<String>,
    ) -> Result<Self, Error> {
        let (units, replacements) = if spec.charsmap.is_empty() {
            (Vec::new(), String::new())
        } else {
            parse_charsmap(spec.charsmap)?
        };
        Ok(Normalizer {
            units,
            replacements,
            verbatim,
            add_dummy_prefix: spec.add_dummy_prefix,
            remove_extra_whitespaces: spec.remove_extra_whitespaces,
            escape_whitespaces: spec.escape_whitespaces,
        })
    }

    /// Normalises `input` into `out` (cleared first).
    pub fn normalize(&self, input: &str, out: &mut Normalized) {
        out.text.clear();
        out.origins.clear();
        let space = if self.escape_whitespaces { SPACE } else { " " };
        let mut pos = 0;
        if self.remove_extra_whitespaces {
            while pos < input.len() {
                let (replacement, consumed) = self.normalize_prefix(&input[pos..]);
                if replacement != " " {
                    break;
                }
                pos += consumed;
            }
        }
        if pos < input.len() && self.add_dummy_prefix {
            push(out, space, pos);
        }
        let mut prev_space = self.remove_extra_whitespaces;
        while pos < input.len() {
            let (replacement, consumed) = self.normalize_prefix(&input[pos..]);
            let mut rest = replacement;
            if prev_space {
                rest = rest.trim_start_matches(' ');
            }
            if !rest.is_empty() {
                for (i, part) in rest.split(' ').enumerate() {
                    if i > 0 {
                        push(out, space, pos);
                    }
                    push(out, part, pos);
                }
                prev_space = rest.ends_with(' ');
            }
            pos += consumed;
            if !self.remove_extra_whitespaces {
                prev_space = false;
            }
        }
        let mut end = pos;
        if self.remove_extra_whitespaces {
            while out.text.ends_with(space) {
                let len = out.text.len() - space.len();
                end = out.origins[len];
                out.text.truncate(len);
                out.origins.truncate(len);
            }
        }
        out.origins.push(end);
    }

    /// What the start of `input` normalises to, and how many bytes of it that consumes.
    fn normalize_prefix<'s>(&'s self, input: &'s str) -> (&'s str, usize) {
        if let Some(symbol) = self
            .verbatim
            .iter()
            .filter(|s| input.starts_with(s.as_str()))
            .max_by_key(|s| s.len())
        {
            return (&input[..symbol.len()], symbol.len());
        }
        if let Some((len, value)) = self.longest_rule(input.as_bytes())
            && let Some(rest) = self.replacements.get(value..)
        {
            let end = rest.find('\0').unwrap_or(rest.len());
            return (&rest[..end], len);
        }
        let len = input.chars().next().map_or(input.len(), char::len_utf8);
        (&input[..len], len)
    }

    /// The longest key of the character map that starts `key`: its length in bytes and
    /// its value (an offset into `replacements`). darts-clone's `commonPrefixSearch`.
    fn longest_rule(&self, key: &[u8]) -> Option<(usize, usize)> {
        let units = &self.units;
        let mut node = offset(*units.first()?);
        let mut longest = None;
        for (i, &c) in key.iter().enumerate() {
            node ^= usize::from(c);
            let Some(&unit) = units.get(node) else { break };
            // The label check also rejects leaves (bit 31).
            if unit & 0x8000_00ff != u32::from(c) {
                break;
            }
            node ^= offset(unit);
            if unit & 0x100 != 0 {
                let Some(&leaf) = units.get(node) else { break };
                longest = Some((i + 1, (leaf & 0x7fff_ffff) as usize));
            }
        }
        longest
    }
}

fn push(out: &mut Normalized, s: &str, origin: usize) {
    out.text.push_str(s);
    out.origins.extend(std::iter::repeat_n(origin, s.len()));
}

/// A darts-clone unit's offset to its children.
fn offset(unit: u32) -> usize {
    ((unit >> 10) << ((unit & 0x200) >> 6)) as usize
}

/// The map's layout: the trie's size in bytes (u32, little-endian), the trie's units,
/// then the NUL-separated replacements.
fn parse_charsmap(map: &[u8]) -> Result<(Vec<u32>, String), Error> {
    let malformed = |message| Error::Malformed {
        what: "precompiled character map",
        message,
    };
    let (size, rest) = map
        .split_first_chunk::<4>()
        .ok_or(malformed("shorter than its header"))?;
    let size = u32::from_le_bytes(*size) as usize;
    if !size.is_multiple_of(4) || size > rest.len() {
        return Err(malformed("trie size does not fit the map"));
    }
    let (trie, replacements) = rest.split_at(size);
    let units = trie
        .chunks_exact(4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect();
    let replacements = String::from_utf8(replacements.to_vec())
        .map_err(|_| malformed("replacements are not UTF-8"))?;
    Ok((units, replacements))
}
