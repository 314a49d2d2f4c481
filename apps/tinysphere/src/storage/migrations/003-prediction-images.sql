-- 003: prediction thumbnails. Like drift sample images, a package's prediction images live in one
-- blob per package (image_key); each row points at its byte range in it.
ALTER TABLE prediction_records ADD COLUMN image_key text;
ALTER TABLE prediction_records ADD COLUMN image_offset integer;
ALTER TABLE prediction_records ADD COLUMN image_length integer;
ALTER TABLE prediction_records ADD COLUMN image_media_type text;
