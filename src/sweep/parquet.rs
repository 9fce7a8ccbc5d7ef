//! `results.parquet`: the rows of `results.csv`, typed, written in row groups of a fixed size so
//! that the file depends only on the rows.
//!
//! Written with the arrow-rs `parquet` crate (Snappy compression, no C code: the `zstd`,
//! `brotli` and `lz4` features are off, which keeps a clean release build near 84 s).

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{Float64Builder, StringBuilder, UInt32Builder, UInt64Builder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;

use crate::sweep::{ColType, SweepError};

/// Rows per Arrow batch while converting.
const BATCH_ROWS: usize = 8192;
/// Rows per Parquet row group.
const ROW_GROUP_ROWS: usize = 65536;

enum Col {
    U64(UInt64Builder),
    U32(UInt32Builder),
    Str(StringBuilder),
    F64(Float64Builder),
}

/// The Arrow schema of a results table.
pub fn schema(columns: &[(String, ColType)]) -> Schema {
    Schema::new(
        columns
            .iter()
            .map(|(n, t)| match t {
                ColType::U64 => Field::new(n, DataType::UInt64, false),
                ColType::U32 => Field::new(n, DataType::UInt32, false),
                ColType::Str => Field::new(n, DataType::Utf8, false),
                ColType::OptStr => Field::new(n, DataType::Utf8, true),
                ColType::F64 => Field::new(n, DataType::Float64, true),
            })
            .collect::<Vec<_>>(),
    )
}

/// The columns of one Arrow batch, being filled row by row.
struct Batch<'a> {
    /// The columns' names and types.
    columns: &'a [(String, ColType)],
    /// A builder per column.
    cols: Vec<Col>,
    /// Rows in the builders.
    rows: usize,
}

impl<'a> Batch<'a> {
    /// An empty batch of `columns`.
    fn new(columns: &'a [(String, ColType)]) -> Batch<'a> {
        let cols = columns
            .iter()
            .map(|(_, t)| match t {
                ColType::U64 => Col::U64(UInt64Builder::new()),
                ColType::U32 => Col::U32(UInt32Builder::new()),
                ColType::Str | ColType::OptStr => Col::Str(StringBuilder::new()),
                ColType::F64 => Col::F64(Float64Builder::new()),
            })
            .collect();
        Batch {
            columns,
            cols,
            rows: 0,
        }
    }

    /// Add `rec`, line `line` of the CSV at `csv`, parsing each cell as its column's type.
    fn push(&mut self, rec: &csv::StringRecord, csv: &Path, line: u64) -> Result<(), SweepError> {
        if rec.len() != self.columns.len() {
            return Err(SweepError::FieldCount {
                path: csv.to_path_buf(),
                line,
                found: rec.len(),
                expected: self.columns.len(),
            });
        }
        for ((c, (name, t)), v) in self.cols.iter_mut().zip(self.columns).zip(rec.iter()) {
            let bad = |source: Box<dyn std::error::Error + Send + Sync>| SweepError::BadCell {
                path: csv.to_path_buf(),
                line,
                value: v.to_string(),
                column: name.clone(),
                source,
            };
            match c {
                Col::U64(b) => b.append_value(v.parse().map_err(|e| bad(Box::new(e)))?),
                Col::U32(b) => b.append_value(v.parse().map_err(|e| bad(Box::new(e)))?),
                Col::Str(b) => {
                    if v.is_empty() && *t == ColType::OptStr {
                        b.append_null()
                    } else {
                        // Text cells are CSV-injection safe in the CSV; Parquet holds the text.
                        b.append_value(crate::output::csv_text_back(v))
                    }
                }
                Col::F64(b) => {
                    if v.is_empty() {
                        b.append_null()
                    } else {
                        b.append_value(v.parse().map_err(|e| bad(Box::new(e)))?)
                    }
                }
            }
        }
        self.rows += 1;
        Ok(())
    }

    /// Write the rows to `writer` as one record batch of `schema`, and empty the builders.
    fn flush(
        &mut self,
        schema: &Arc<Schema>,
        writer: &mut ArrowWriter<BufWriter<File>>,
    ) -> Result<(), SweepError> {
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| -> ArrayRef {
                match c {
                    Col::U64(b) => Arc::new(b.finish()),
                    Col::U32(b) => Arc::new(b.finish()),
                    Col::Str(b) => Arc::new(b.finish()),
                    Col::F64(b) => Arc::new(b.finish()),
                }
            })
            .collect();
        self.rows = 0;
        let batch = RecordBatch::try_new(schema.clone(), arrays).map_err(SweepError::Batch)?;
        writer.write(&batch).map_err(SweepError::WriteParquet)
    }
}

/// The Parquet writer's settings: Snappy, row groups of [`ROW_GROUP_ROWS`], this version.
fn writer_properties() -> WriterProperties {
    WriterProperties::builder()
        .set_compression(Compression::SNAPPY)
        .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
        .set_max_row_group_bytes(None)
        .set_created_by(format!("talentsim {}", crate::VERSION))
        .build()
}

/// Write `out` (atomically) from the CSV at `csv`, streaming a batch at a time.
pub(crate) fn write_from_csv(
    csv: &Path,
    out: &Path,
    columns: &[(String, ColType)],
) -> Result<(), SweepError> {
    let schema = Arc::new(schema(columns));
    let dir = out.parent().unwrap_or(Path::new("."));
    let tmp = dir.join(format!(
        ".{}.tmp",
        out.file_name()
            .map_or("results.parquet".into(), |n| n.to_string_lossy())
    ));
    let file = File::create(&tmp).map_err(|source| SweepError::Create {
        path: tmp.clone(),
        source,
    })?;
    let mut writer = ArrowWriter::try_new(
        BufWriter::new(file),
        schema.clone(),
        Some(writer_properties()),
    )
    .map_err(SweepError::StartParquet)?;
    let read_err = |source| SweepError::ReadCsv {
        path: csv.to_path_buf(),
        source,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_path(csv)
        .map_err(read_err)?;
    let mut batch = Batch::new(columns);
    let mut rec = csv::StringRecord::new();
    let mut line = 1u64;
    while reader.read_record(&mut rec).map_err(read_err)? {
        line += 1;
        batch.push(&rec, csv, line)?;
        if batch.rows == BATCH_ROWS {
            batch.flush(&schema, &mut writer)?;
        }
    }
    if batch.rows > 0 {
        batch.flush(&schema, &mut writer)?;
    }
    let buf = writer.into_inner().map_err(SweepError::FinishParquet)?;
    let file = buf
        .into_inner()
        .map_err(|e| SweepError::FlushParquet(e.into_error()))?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, out).map_err(|source| SweepError::RenameTo {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(())
}
