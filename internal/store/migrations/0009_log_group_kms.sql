-- The KMS key a log group was created with (CreateLogGroup's kmsKeyId),
-- which DescribeLogGroups returns; '' for none. barge does not encrypt.
ALTER TABLE log_groups ADD COLUMN kms_key_id TEXT NOT NULL DEFAULT '';
