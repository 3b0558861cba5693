//! Event counts per time bucket and level, for charts (`GET /event-stats`).

use std::time::Duration;

use serde::Serialize;
use utoipa::ToSchema;

use super::Level;
use super::query::{EventFilter, FILTER_KEYS, attribute_params, checked_params};
use crate::field::InvalidField;
use crate::time::Timestamp;

/// The most buckets one answer may hold: enough for a week by the minute.
pub const MAX_BUCKETS: i64 = 10_080;

/// A bucket's width. Buckets are aligned on UTC: minutes, hours and days start on
/// the epoch's boundaries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    Minute,
    Hour,
    Day,
}

impl Bucket {
    pub fn millis(self) -> i64 {
        match self {
            Self::Minute => 60_000,
            Self::Hour => 3_600_000,
            Self::Day => 86_400_000,
        }
    }

    /// What a chart of this bucket shows when no `from` is given.
    fn default_span(self) -> Duration {
        let hours = match self {
            Self::Minute => 1,
            Self::Hour => 24,
            Self::Day => 30 * 24,
        };
        Duration::from_secs(hours * 3600)
    }

    fn parse(value: &str) -> Result<Self, InvalidField> {
        match value.to_ascii_lowercase().as_str() {
            "minute" => Ok(Self::Minute),
            "hour" => Ok(Self::Hour),
            "day" => Ok(Self::Day),
            _ => Err(InvalidField::new(
                "bucket",
                format!("`{value}` is not one of minute, hour, day"),
            )),
        }
    }

    /// The start of the bucket holding `at`.
    pub fn floor(self, at: Timestamp) -> Timestamp {
        Timestamp::from_millis(at.as_millis().div_euclid(self.millis()) * self.millis())
    }
}

/// What to count: the filters, with both ends of the range set.
#[derive(Clone, Debug, PartialEq)]
pub struct StatsQuery {
    pub filter: EventFilter,
    pub from: Timestamp,
    pub to: Timestamp,
    pub bucket: Bucket,
}

impl StatsQuery {
    /// Parses `GET /event-stats` parameters: `to` defaults to `now`, `from` to a
    /// span that suits the bucket (an hour of minutes, a day of hours, 30 days).
    pub fn from_query<'a>(
        pairs: impl IntoIterator<Item = (&'a str, &'a str)>,
        now: Timestamp,
    ) -> Result<Self, InvalidField> {
        let allowed: Vec<&'static str> = FILTER_KEYS.iter().chain(&["bucket"]).copied().collect();
        let (attributes, pairs) = attribute_params(pairs)?;
        let mut filter = EventFilter {
            attributes,
            ..EventFilter::default()
        };
        let mut bucket = Bucket::Hour;
        for (field, value) in checked_params(pairs, &allowed)? {
            if !filter.set(field, value)? {
                bucket = Bucket::parse(value)?;
            }
        }
        let to = filter.to.unwrap_or(now);
        let from = filter
            .from
            .unwrap_or_else(|| to.minus(bucket.default_span()));
        filter.from = Some(from);
        filter.to = Some(to);
        filter.check_range()?;
        let buckets =
            (bucket.floor(to).as_millis() - bucket.floor(from).as_millis()) / bucket.millis() + 1;
        if buckets > MAX_BUCKETS {
            return Err(InvalidField::rule(
                "bucket",
                format!(
                    "the range holds {buckets} buckets, more than {MAX_BUCKETS}: narrow `from`/`to` or use a wider bucket"
                ),
            ));
        }
        Ok(Self {
            filter,
            from,
            to,
            bucket,
        })
    }
}

/// How many events of one level one bucket holds, as a store counts them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LevelCount {
    pub start: Timestamp,
    pub level: Level,
    pub count: u64,
}

/// The answer of `GET /event-stats`: every bucket of the range, empty ones included.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct EventStats {
    pub bucket: Bucket,
    #[schema(value_type = String, format = DateTime)]
    pub from: Timestamp,
    #[schema(value_type = String, format = DateTime)]
    pub to: Timestamp,
    pub buckets: Vec<BucketCounts>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, ToSchema)]
pub struct BucketCounts {
    /// When the bucket starts (UTC).
    #[schema(value_type = String, format = DateTime)]
    pub start: Timestamp,
    pub total: u64,
    pub debug: u64,
    pub info: u64,
    pub warning: u64,
    pub error: u64,
    pub critical: u64,
}

impl BucketCounts {
    fn add(&mut self, level: Level, count: u64) {
        self.total += count;
        *match level {
            Level::Debug => &mut self.debug,
            Level::Info => &mut self.info,
            Level::Warning => &mut self.warning,
            Level::Error => &mut self.error,
            Level::Critical => &mut self.critical,
        } += count;
    }
}

impl EventStats {
    /// Lays the store's counts out over every bucket of the query's range.
    pub fn assemble(query: &StatsQuery, counts: &[LevelCount]) -> Self {
        let width = query.bucket.millis();
        let first = query.bucket.floor(query.from).as_millis();
        let last = query.bucket.floor(query.to).as_millis();
        let mut buckets: Vec<BucketCounts> = (first..=last)
            .step_by(width as usize)
            .map(|start| BucketCounts {
                start: Timestamp::from_millis(start),
                ..BucketCounts::default()
            })
            .collect();
        for count in counts {
            let index = (count.start.as_millis() - first) / width;
            if let Some(bucket) = usize::try_from(index).ok().and_then(|i| buckets.get_mut(i)) {
                bucket.add(count.level, count.count);
            }
        }
        Self {
            bucket: query.bucket,
            from: query.from,
            to: query.to,
            buckets,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

    #[test]
    fn defaults_cover_a_day_of_hours_ending_now() {
        let now = Timestamp::from_millis(100 * HOUR + 5);
        let query = StatsQuery::from_query([], now).unwrap();
        assert_eq!(query.bucket, Bucket::Hour);
        assert_eq!(query.to, now);
        assert_eq!(query.from.as_millis(), 76 * HOUR + 5);
    }

    #[test]
    fn every_bucket_is_listed_and_counts_land_in_theirs() {
        let query = StatsQuery::from_query(
            [("from", "3600"), ("to", "14400"), ("bucket", "hour")],
            Timestamp::from_millis(0),
        )
        .unwrap();
        let counts = [
            LevelCount {
                start: Timestamp::from_millis(2 * HOUR),
                level: Level::Error,
                count: 3,
            },
            LevelCount {
                start: Timestamp::from_millis(2 * HOUR),
                level: Level::Info,
                count: 4,
            },
        ];
        let stats = EventStats::assemble(&query, &counts);
        assert_eq!(stats.buckets.len(), 4);
        assert_eq!(stats.buckets[1].total, 7);
        assert_eq!((stats.buckets[1].error, stats.buckets[1].info), (3, 4));
        assert_eq!(stats.buckets[0].total + stats.buckets[3].total, 0);
    }

    #[test]
    fn too_many_buckets_and_bad_buckets_are_refused() {
        let now = Timestamp::from_millis(0);
        let wide = [("from", "0"), ("to", "31536000"), ("bucket", "minute")];
        assert_eq!(
            StatsQuery::from_query(wide, now).unwrap_err().field,
            "bucket"
        );
        let bad = StatsQuery::from_query([("bucket", "week")], now).unwrap_err();
        assert_eq!(bad.field, "bucket");
    }
}
