//! Streams the records of a large JSON document one at a time: the walker descends a path of
//! object keys and hands each element of the array it finds there to a callback, skipping
//! everything else unparsed. Memory is bounded by one record, whatever the file size.

use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;
use serde_json::Value;

use crate::error::CoreError;

pub enum StreamError {
    /// The document is not valid JSON; carries line and column.
    Json(serde_json::Error),
    /// The callback failed (a database error, a cancellation).
    Stopped(CoreError),
}

type Callback<'f> = dyn FnMut(u64, Value) -> Result<(), CoreError> + 'f;

struct Walker<'f> {
    f: &'f mut Callback<'f>,
    failure: Option<CoreError>,
    found: bool,
}

impl Walker<'_> {
    fn emit<E: de::Error>(&mut self, index: u64, v: Value) -> Result<(), E> {
        self.found = true;
        (self.f)(index, v).map_err(|e| {
            self.failure = Some(e);
            E::custom("stopped by the importer")
        })
    }
}

struct PathSeed<'w, 'f> {
    path: &'w [&'w str],
    walker: &'w mut Walker<'f>,
}

impl<'de> DeserializeSeed<'de> for PathSeed<'_, '_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

macro_rules! ignore_scalars {
    ($($name:ident: $t:ty),*) => {
        $(fn $name<E: de::Error>(self, _: $t) -> Result<(), E> { Ok(()) })*
    };
}

impl<'de> Visitor<'de> for PathSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        if self.path.is_empty() {
            let v = Value::deserialize(de::value::MapAccessDeserializer::new(map))?;
            return self.walker.emit(0, v);
        }
        while let Some(key) = map.next_key::<String>()? {
            if key == self.path[0] {
                map.next_value_seed(PathSeed {
                    path: &self.path[1..],
                    walker: &mut *self.walker,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if !self.path.is_empty() {
            while seq.next_element::<IgnoredAny>()?.is_some() {}
            return Ok(());
        }
        let mut i = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            self.walker.emit(i, v)?;
            i += 1;
        }
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    ignore_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
}

/// Calls `f(index, element)` for each element of the array at `path` (or once, with index 0,
/// when an object stands there). Returns whether the path was found.
pub fn stream_at<R: Read>(
    input: R,
    path: &[&str],
    f: &mut Callback<'_>,
) -> Result<bool, StreamError> {
    let mut walker = Walker {
        f,
        failure: None,
        found: false,
    };
    let mut de = serde_json::Deserializer::from_reader(input);
    let result = PathSeed {
        path,
        walker: &mut walker,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    match (result, walker.failure.take()) {
        (_, Some(e)) => Err(StreamError::Stopped(e)),
        (Err(e), None) => Err(StreamError::Json(e)),
        (Ok(()), None) => Ok(walker.found),
    }
}

/// The keys of the top-level object and of its `data` object (GraphQL responses), read
/// without keeping any value: enough to tell the JSON formats apart.
#[derive(Debug, Default)]
pub struct Shape {
    pub top: Vec<String>,
    pub data: Vec<String>,
}

struct ShapeSeed<'s>(&'s mut Shape, bool);

impl<'de> DeserializeSeed<'de> for ShapeSeed<'_> {
    type Value = ();
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ShapeSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let (shape, top) = (self.0, self.1);
        while let Some(key) = map.next_key::<String>()? {
            if top && key == "data" {
                map.next_value_seed(ShapeSeed(&mut *shape, false))?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
            if top {
                shape.top.push(key);
            } else {
                shape.data.push(key);
            }
        }
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }
    ignore_scalars!(visit_bool: bool, visit_i64: i64, visit_u64: u64, visit_f64: f64, visit_str: &str);
}

pub fn shape<R: Read>(input: R) -> Result<Shape, serde_json::Error> {
    let mut shape = Shape::default();
    let mut de = serde_json::Deserializer::from_reader(input);
    ShapeSeed(&mut shape, true).deserialize(&mut de)?;
    de.end()?;
    Ok(shape)
}

/// The shape of the first JSON value of `input` alone, whatever follows it (JSON Lines).
pub fn first_shape<R: Read>(input: R) -> Result<Shape, serde_json::Error> {
    let mut shape = Shape::default();
    let mut de = serde_json::Deserializer::from_reader(input);
    ShapeSeed(&mut shape, true).deserialize(&mut de)?;
    Ok(shape)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn collect(doc: &str, path: &[&str]) -> Result<(bool, Vec<(u64, Value)>), String> {
        let mut got = Vec::new();
        let mut f = |i, v| {
            got.push((i, v));
            Ok(())
        };
        let found = stream_at(doc.as_bytes(), path, &mut f).map_err(|e| match e {
            StreamError::Json(e) => format!("json {}:{}", e.line(), e.column()),
            StreamError::Stopped(e) => e.to_string(),
        })?;
        Ok((found, got))
    }

    #[test]
    fn streams_array_at_path() {
        let doc = r#"{"x": [1, {"products": 2}], "products": [{"a": 1}, {"a": 2}], "z": null}"#;
        let (found, got) = collect(doc, &["products"]).unwrap();
        assert!(found);
        assert_eq!(got.len(), 2);
        assert_eq!(got[1], (1, serde_json::json!({"a": 2})));
    }

    #[test]
    fn object_at_path_is_one_record_and_missing_path_is_reported() {
        let doc = r#"{"data": {"s": {"data": {"id": "b1"}}}}"#;
        let (_, got) = collect(doc, &["data", "s", "data"]).unwrap();
        assert_eq!(got, vec![(0, serde_json::json!({"id": "b1"}))]);
        let (found, _) = collect(doc, &["data", "t"]).unwrap();
        assert!(!found);
    }

    #[test]
    fn syntax_errors_carry_line_and_column() {
        let doc = "{\"products\": [\n {\"a\": 1},\n]}";
        assert_eq!(collect(doc, &["products"]).unwrap_err(), "json 3:1");
        assert!(collect("{\"a\": 1} trailing", &["a"]).is_err());
    }

    #[test]
    fn shape_reads_keys() {
        let s =
            shape(r#"{"data": {"inventory_sync_status": {"x": [1]}}, "extensions": 1}"#.as_bytes())
                .unwrap();
        assert_eq!(s.top, vec!["data", "extensions"]);
        assert_eq!(s.data, vec!["inventory_sync_status"]);
    }
}
