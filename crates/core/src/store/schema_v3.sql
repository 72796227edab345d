-- Which process runs a job: a job still 'running' whose owner is gone was interrupted.
ALTER TABLE jobs ADD COLUMN owner_pid INTEGER;
