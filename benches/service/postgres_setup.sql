-- The PostgreSQL reference for qm serve's reserve (benches/service/postgres.sh): a SKU's free and
-- reserved units in one row, holds in a table, and one call that checks the free units, moves
-- them to reserved and records the hold with its expiry, as redis_reserve.lua does.
CREATE TABLE stock (
    sku integer PRIMARY KEY,
    free_units bigint NOT NULL CHECK (free_units >= 0),
    reserved_units bigint NOT NULL
);
INSERT INTO stock SELECT g, 1000000000, 0 FROM generate_series(0, 49) AS g;

CREATE TABLE holds (
    hold bigserial PRIMARY KEY,
    sku integer NOT NULL REFERENCES stock,
    units integer NOT NULL,
    expires_at timestamptz NOT NULL
);

CREATE FUNCTION reserve(p_sku integer, p_units integer, p_ttl_seconds integer) RETURNS boolean
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE stock
       SET free_units = free_units - p_units, reserved_units = reserved_units + p_units
     WHERE sku = p_sku AND free_units >= p_units;
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    INSERT INTO holds (sku, units, expires_at)
    VALUES (p_sku, p_units, now() + make_interval(secs => p_ttl_seconds));
    RETURN true;
END
$$;
