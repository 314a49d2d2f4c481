-- 004: packages accepted together share one blob (a segment: one durable write per group of
-- uploads); a package is the byte range [blob_offset, blob_offset + blob_length) of blob_key.
-- NULL offset/length: the package is the whole object (large uploads, rows from before 004).
ALTER TABLE packages ADD COLUMN blob_offset integer;
ALTER TABLE packages ADD COLUMN blob_length integer;
