//! Reads NumPy `.npy` files (format versions 1–3): little-endian `float32`, `float64` or
//! `uint8`,
//! C order, of a shape the caller states. The sentence encoder's weights come as a
//! `.npz` (a zip of `.npy` files) that the install script unpacks once, since inflating
//! it costs 0.7 s on every load while reading the unpacked files costs a few
//! milliseconds.

use std::path::Path;

use super::Error;

/// The values of a `float32` array of `shape`.
pub fn read_f32(path: &Path, shape: &[usize]) -> Result<Vec<f32>, Error> {
    let data = read(path, "<f4", shape)?;
    Ok(data
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        .collect())
}

/// The values of a `float64` array of `shape`.
pub fn read_f64(path: &Path, shape: &[usize]) -> Result<Vec<f64>, Error> {
    let data = read(path, "<f8", shape)?;
    Ok(data
        .chunks_exact(8)
        .map(|b| f64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        .collect())
}

/// The bytes of a `uint8` array of `shape`.
pub fn read_u8(path: &Path, shape: &[usize]) -> Result<Vec<u8>, Error> {
    read(path, "|u1", shape)
}

/// The data of an array, after checking its header says `descr`, C order and `shape`.
fn read(path: &Path, descr: &str, shape: &[usize]) -> Result<Vec<u8>, Error> {
    let bytes = std::fs::read(path).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bad = |message: String| Error::Weights {
        path: path.to_path_buf(),
        message,
    };
    let (header, offset) = header(&bytes).ok_or_else(|| bad("not a .npy file".into()))?;
    let found = |key: &str| field(header, key).unwrap_or("?");
    if found("descr").trim_matches('\'') != descr
        || found("fortran_order") != "False"
        || parse_shape(found("shape")).as_deref() != Some(shape)
    {
        return Err(bad(format!(
            "expected dtype {descr}, C order and shape {shape:?}; the header says {header}"
        )));
    }
    let width = match descr {
        "<f8" => 8,
        "<f4" => 4,
        _ => 1,
    };
    let len = shape.iter().product::<usize>() * width;
    if bytes.len() - offset != len {
        return Err(bad(format!(
            "{} bytes of data, expected {len}",
            bytes.len() - offset
        )));
    }
    let mut bytes = bytes;
    bytes.drain(..offset);
    Ok(bytes)
}

/// The header dictionary's text and where the data starts.
fn header(bytes: &[u8]) -> Option<(&str, usize)> {
    let rest = bytes.strip_prefix(b"\x93NUMPY")?;
    let (&major, rest) = rest.split_first()?;
    let rest = rest.get(1..)?; // minor version
    let (len, start): (usize, usize) = match major {
        1 => (
            usize::from(u16::from_le_bytes([*rest.first()?, *rest.get(1)?])),
            10,
        ),
        2 | 3 => {
            let b = rest.get(..4)?;
            (u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize, 12)
        }
        _ => return None,
    };
    let text = std::str::from_utf8(bytes.get(start..start.checked_add(len)?)?).ok()?;
    Some((text.trim(), start + len))
}

/// The value of `'key': value` in the header dictionary, up to the next top-level comma.
fn field<'h>(header: &'h str, key: &str) -> Option<&'h str> {
    let at = header.find(&format!("'{key}':"))? + key.len() + 3;
    let value = header[at..].trim_start();
    let end = if value.starts_with('(') {
        value.find(')')? + 1
    } else {
        value.find([',', '}'])?
    };
    Some(value[..end].trim())
}

/// `(7530, 512)` → `[7530, 512]`; `()` → `[]`.
fn parse_shape(text: &str) -> Option<Vec<usize>> {
    let inner = text.strip_prefix('(')?.strip_suffix(')')?;
    inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn npy(header: &str, data: &[u8]) -> Vec<u8> {
        let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
        bytes.extend((header.len() as u16).to_le_bytes());
        bytes.extend(header.as_bytes());
        bytes.extend(data);
        bytes
    }

    #[test]
    fn reads_what_numpy_writes_and_checks_the_header() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.npy");
        let data: Vec<u8> = [1.5f32, -2.0, 0.25, 8.0]
            .iter()
            .flat_map(|x| x.to_le_bytes())
            .collect();
        let header = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2), }          \n";
        std::fs::write(&path, npy(header, &data)).unwrap();
        assert_eq!(read_f32(&path, &[2, 2]).unwrap(), [1.5, -2.0, 0.25, 8.0]);
        let wrong_shape = read_f32(&path, &[4]).unwrap_err().to_string();
        assert!(wrong_shape.contains("shape [4]"), "{wrong_shape}");
        assert!(read_u8(&path, &[2, 2]).is_err(), "dtype is checked");

        let header = "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }\n";
        std::fs::write(&path, npy(header, &[7, 8])).unwrap();
        let short = read_u8(&path, &[3]).unwrap_err().to_string();
        assert!(short.contains("2 bytes of data, expected 3"), "{short}");
        std::fs::write(&path, b"PK\x03\x04").unwrap();
        assert!(read_u8(&path, &[3]).is_err());
    }

    #[test]
    fn shapes() {
        assert_eq!(parse_shape("(7530, 512)"), Some(vec![7530, 512]));
        assert_eq!(parse_shape("(17,)"), Some(vec![17]));
        assert_eq!(parse_shape("()"), Some(vec![]));
        assert_eq!(parse_shape("[3]"), None);
    }
}
