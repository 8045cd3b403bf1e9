//! The one place that names the binary encoding (bincode 1.3), so it can be swapped.
//!
//! Decoding is bounded by the input's length, and sequences reserve cautiously (serde caps what
//! a `Vec` reserves ahead at a mebibyte; `small_vec` routes `SmallVec` fields through it): a
//! corrupted length prefix cannot make the decoder reserve memory for elements that are not
//! there.

use serde::de::DeserializeOwned;
use serde::Serialize;

/// Why bytes did not decode.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CodecError(String);

fn options() -> impl bincode::Options {
    use bincode::Options;
    bincode::DefaultOptions::new()
        .with_fixint_encoding()
        .with_little_endian()
}

/// Encodes `value`.
pub fn encode<T: Serialize>(value: &T) -> Result<Vec<u8>, CodecError> {
    use bincode::Options;
    options()
        .serialize(value)
        .map_err(|e| CodecError(e.to_string()))
}

/// Appends the encoding of `value` to `out` (no intermediate buffer).
pub fn encode_into<T: Serialize>(value: &T, out: &mut Vec<u8>) -> Result<(), CodecError> {
    use bincode::Options;
    options()
        .serialize_into(out, value)
        .map_err(|e| CodecError(e.to_string()))
}

/// Decodes a `T` that must use every byte of `bytes`.
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, CodecError> {
    use bincode::Options;
    options()
        .with_limit(bytes.len() as u64)
        .reject_trailing_bytes()
        .deserialize(bytes)
        .map_err(|e| CodecError(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_refuses_a_lying_length_prefix() {
        let value: Vec<u32> = vec![7, 8, 9];
        let bytes = encode(&value).unwrap();
        assert_eq!(bytes.len(), 8 + 3 * 4);
        assert_eq!(decode::<Vec<u32>>(&bytes).unwrap(), value);
        // A length prefix claiming 2^60 elements must fail, not try to allocate them.
        let mut lying = bytes.clone();
        lying[..8].copy_from_slice(&(1u64 << 60).to_le_bytes());
        assert!(decode::<Vec<u32>>(&lying).is_err());
        assert!(decode::<Vec<u32>>(&bytes[..bytes.len() - 1]).is_err());
    }
}

/// Serde for a `SmallVec` field (`#[serde(with = "crate::codec::small_vec")]`), encoded as any
/// sequence. It decodes through a `Vec`, which reserves cautiously and grows with the elements
/// really there: smallvec's own `Deserialize` reserves whatever length the input claims before
/// reading an element, so a damaged length would ask for any amount of memory.
pub(crate) mod small_vec {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};
    use smallvec::{Array, SmallVec};

    pub(crate) fn serialize<A, S>(value: &SmallVec<A>, serializer: S) -> Result<S::Ok, S::Error>
    where
        A: Array,
        A::Item: Serialize,
        S: Serializer,
    {
        value.as_slice().serialize(serializer)
    }

    pub(crate) fn deserialize<'de, A, D>(deserializer: D) -> Result<SmallVec<A>, D::Error>
    where
        A: Array,
        A::Item: Deserialize<'de>,
        D: Deserializer<'de>,
    {
        Vec::deserialize(deserializer).map(SmallVec::from_vec)
    }
}
