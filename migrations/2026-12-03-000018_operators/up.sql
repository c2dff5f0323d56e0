-- Platform operators: users who may edit plans and move stores between them. Granted only from
-- the command line (`balcao admin grant EMAIL`), never through the API.

CREATE TABLE platform_operators (
    user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    granted_at timestamptz NOT NULL DEFAULT now()
);
