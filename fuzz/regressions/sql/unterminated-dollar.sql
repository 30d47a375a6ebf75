do $body$ begin perform 1; -- no end
