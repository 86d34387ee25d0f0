//! The few fields of SentencePiece's `ModelProto` (sentencepiece_model.proto) that
//! encoding needs, read straight from the protobuf wire format: the pieces with their
//! scores and types, the normaliser's flags and precompiled character map, and the
//! trainer's model type.

/// A piece's role (`SentencePiece.Type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceType {
    Normal,
    Unknown,
    Control,
    UserDefined,
    Unused,
    Byte,
}

pub struct Piece<'a> {
    pub text: &'a str,
    pub score: f32,
    pub kind: PieceType,
}

/// `NormalizerSpec`, with the proto's defaults for absent fields.
pub struct NormalizerSpec<'a> {
    pub charsmap: &'a [u8],
    pub add_dummy_prefix: bool,
    pub remove_extra_whitespaces: bool,
    pub escape_whitespaces: bool,
}

pub struct ModelProto<'a> {
    pub pieces: Vec<Piece<'a>>,
    pub normalizer: NormalizerSpec<'a>,
    /// `TrainerSpec.model_type`: 1 unigram (the default), 2 BPE, 3 word, 4 char.
    pub model_type: u64,
    pub byte_fallback: bool,
    pub treat_whitespace_as_suffix: bool,
}

/// What is wrong with a model file: the byte offset and a message.
#[derive(Debug)]
pub struct Malformed(pub usize, pub &'static str);

impl<'a> ModelProto<'a> {
    pub fn parse(bytes: &'a [u8]) -> Result<Self, Malformed> {
        let mut model = ModelProto {
            pieces: Vec::new(),
            normalizer: NormalizerSpec {
                charsmap: &[],
                add_dummy_prefix: true,
                remove_extra_whitespaces: true,
                escape_whitespaces: true,
            },
            model_type: 1,
            byte_fallback: false,
            treat_whitespace_as_suffix: false,
        };
        for field in Fields::new(bytes, 0) {
            match field? {
                (1, Value::Bytes(at, b)) => model.pieces.push(parse_piece(b, at)?),
                (2, Value::Bytes(at, b)) => {
                    for field in Fields::new(b, at) {
                        match field? {
                            (3, Value::Varint(v)) => model.model_type = v,
                            (24, Value::Varint(v)) => model.treat_whitespace_as_suffix = v != 0,
                            (35, Value::Varint(v)) => model.byte_fallback = v != 0,
                            _ => {}
                        }
                    }
                }
                (3, Value::Bytes(at, b)) => {
                    let spec = &mut model.normalizer;
                    for field in Fields::new(b, at) {
                        match field? {
                            (2, Value::Bytes(_, map)) => spec.charsmap = map,
                            (3, Value::Varint(v)) => spec.add_dummy_prefix = v != 0,
                            (4, Value::Varint(v)) => spec.remove_extra_whitespaces = v != 0,
                            (5, Value::Varint(v)) => spec.escape_whitespaces = v != 0,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        Ok(model)
    }
}

fn parse_piece(bytes: &[u8], at: usize) -> Result<Piece<'_>, Malformed> {
    let mut piece = Piece {
        text: "",
        score: 0.0,
        kind: PieceType::Normal,
    };
    for field in Fields::new(bytes, at) {
        match field? {
            (1, Value::Bytes(at, b)) => {
                piece.text =
                    std::str::from_utf8(b).map_err(|_| Malformed(at, "a piece is not UTF-8"))?
            }
            (2, Value::Fixed32(bits)) => piece.score = f32::from_bits(bits),
            (3, Value::Varint(v)) => {
                piece.kind = match v {
                    1 => PieceType::Normal,
                    2 => PieceType::Unknown,
                    3 => PieceType::Control,
                    4 => PieceType::UserDefined,
                    5 => PieceType::Unused,
                    6 => PieceType::Byte,
                    _ => return Err(Malformed(at, "unknown piece type")),
                }
            }
            _ => {}
        }
    }
    Ok(piece)
}

/// A field's value; `Bytes` carries its offset in the file, for errors.
enum Value<'a> {
    Varint(u64),
    Fixed32(u32),
    Bytes(usize, &'a [u8]),
    Fixed64,
}

/// The fields of one message, in order: `(field number, value)`.
struct Fields<'a> {
    bytes: &'a [u8],
    /// Offset of `bytes` in the file.
    base: usize,
    pos: usize,
}

impl<'a> Fields<'a> {
    fn new(bytes: &'a [u8], base: usize) -> Self {
        Fields {
            bytes,
            base,
            pos: 0,
        }
    }

    fn varint(&mut self) -> Result<u64, Malformed> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let &b = self
                .bytes
                .get(self.pos)
                .ok_or(Malformed(self.base + self.pos, "truncated varint"))?;
            self.pos += 1;
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Malformed(self.base + self.pos, "varint too long"))
    }

    fn take(&mut self, len: usize) -> Result<&'a [u8], Malformed> {
        let at = self.pos;
        let end = at
            .checked_add(len)
            .filter(|&end| end <= self.bytes.len())
            .ok_or(Malformed(self.base + at, "field runs past its message"))?;
        self.pos = end;
        Ok(&self.bytes[at..end])
    }

    fn field(&mut self) -> Result<(u64, Value<'a>), Malformed> {
        let key = self.varint()?;
        let value = match key & 7 {
            0 => Value::Varint(self.varint()?),
            1 => {
                self.take(8)?;
                Value::Fixed64
            }
            2 => {
                let len = usize::try_from(self.varint()?)
                    .map_err(|_| Malformed(self.base + self.pos, "length too large"))?;
                let at = self.base + self.pos;
                Value::Bytes(at, self.take(len)?)
            }
            5 => {
                let b = self.take(4)?;
                Value::Fixed32(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            }
            _ => return Err(Malformed(self.base + self.pos, "unsupported wire type")),
        };
        Ok((key >> 3, value))
    }
}

impl<'a> Iterator for Fields<'a> {
    type Item = Result<(u64, Value<'a>), Malformed>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.pos >= self.bytes.len() {
            return None;
        }
        let field = self.field();
        if field.is_err() {
            self.pos = self.bytes.len();
        }
        Some(field)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_pieces_and_normalizer_flags() {
        // pieces "<unk>" (type 2) and "▁a" (score -1.5), then a NormalizerSpec with
        // add_dummy_prefix = false and a 3-byte charsmap.
        let mut bytes = vec![0x0a, 9, 0x0a, 5];
        bytes.extend(b"<unk>");
        bytes.extend([0x18, 2]);
        bytes.extend([0x0a, 11, 0x0a, 4]);
        bytes.extend("▁a".as_bytes());
        bytes.push(0x15);
        bytes.extend((-1.5f32).to_le_bytes());
        bytes.extend([0x1a, 7, 0x12, 3, 1, 2, 3, 0x18, 0]);
        let model = ModelProto::parse(&bytes).unwrap();
        assert_eq!(model.pieces.len(), 2);
        assert_eq!(model.pieces[0].text, "<unk>");
        assert_eq!(model.pieces[0].kind, PieceType::Unknown);
        assert_eq!(model.pieces[1].text, "▁a");
        assert_eq!(model.pieces[1].score, -1.5);
        assert_eq!(model.pieces[1].kind, PieceType::Normal);
        assert_eq!(model.normalizer.charsmap, [1, 2, 3]);
        assert!(!model.normalizer.add_dummy_prefix);
        assert!(model.normalizer.remove_extra_whitespaces);
        assert_eq!(model.model_type, 1);
    }

    #[test]
    fn truncated_input_is_an_error_not_a_panic() {
        assert!(ModelProto::parse(&[0x0a, 9, 0x0a]).is_err());
        assert!(ModelProto::parse(&[0x0a]).is_err());
        assert!(ModelProto::parse(&[0x0b]).is_err());
        assert!(ModelProto::parse(&[0xff; 12]).is_err());
    }
}
