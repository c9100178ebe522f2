-- A partner's order lines in the order the Entitlements tab shows them (by
-- order date and number): read through this index in that order, whatever
-- the planner's statistics say of how many orders a partner has.
CREATE INDEX orders_partner_by_date ON orders (partner_id, ordered_on, number);
DROP INDEX orders_partner;
