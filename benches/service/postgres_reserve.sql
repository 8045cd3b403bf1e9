\set sku random(0, 49)
SELECT reserve(:sku, 1, 900);
