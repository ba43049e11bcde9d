-- Accounts, their sessions and their one vault each (PostgreSQL).
CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    -- Argon2id(auth key, salt), both hex.
    auth_salt TEXT NOT NULL,
    auth_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE sessions (
    -- SHA-256 of the bearer token, hex; the token itself is never stored.
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);

CREATE TABLE vaults (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    revision BIGINT NOT NULL,
    data BYTEA NOT NULL,
    updated_at BIGINT NOT NULL
);
