"""A small matching engine behind the local gateway servers (HTTP `jsonrpc.py`, WebSocket `ws.py`).

Enough of Coinbase's Deribit-powered gateway to trade against over real sockets: instruments
(`BTC_USDC-PERPETUAL`, `ETH_USDC-PERPETUAL`: linear, USDC-margined, amounts in the base currency),
one order book per instrument with price-time priority, and the methods of the spec's Trading,
Market Data and Session Management groups:

- `private/buy`, `private/sell`: `limit` (good_til_cancelled, good_til_day, immediate_or_cancel,
  fill_or_kill; `post_only` moves the price inside the spread, or with `reject_post_only` refuses
  with 11054), `market` (the rest cancelled), `stop_*`/`take_*` (rest `untriggered` until the last
  price crosses `trigger_price`, then act as limit/market), `reduce_only`, `label` (not unique);
- `private/edit`, `private/edit_by_label` (13032 when the label is not unique), `private/cancel`
  (11044 for an order that is not open), `private/cancel_all`, `_by_currency`, `_by_instrument`,
  `private/cancel_by_label`, `private/close_position`;
- the reads: open orders, order state, order history, user trades (by instrument, currency, order);
- market data: `public/get_instruments`, `get_instrument`, `get_order_book`, `ticker`,
  `get_tradingview_chart_data`, `get_time`.

Every number is a `Decimal`: requests are parsed with `parse_float=Decimal`, and results are written
with each number's exact digits (`to_json`), so a test sees exactly what an exact-numbers client
must read. Orders of the test's other side are placed with `place(account="maker", ...)`. Calls are
counted per method (`calls`), whether they succeed or not. Fees: taker 0.05%, maker 0, in USDC.
Linked orders (`linked_order_type` + `otoco_config`) are checked and kept on the order, not
executed; `trailing_stop` and `market_limit` are refused (10033 not_implemented).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from tests.servers.rawjson import RawNumber, dumps_raw

USER = "user"
MAKER = "maker"
TAKER_FEE = Decimal("0.0005")
ORDER_TYPES = {"limit", "stop_limit", "take_limit", "market", "stop_market", "take_market", "market_limit", "trailing_stop"}
TIME_IN_FORCE = {"good_til_cancelled", "good_til_day", "fill_or_kill", "immediate_or_cancel"}
TRIGGERS = {"index_price", "mark_price", "last_price"}
RESOLUTIONS = {"1": 1, "3": 3, "5": 5, "10": 10, "15": 15, "30": 30, "60": 60, "120": 120, "180": 180, "360": 360, "720": 720, "1D": 1440}


class GatewayError(Exception):
    """A JSON-RPC error the gateway answers with (code, message, optional data)."""

    def __init__(self, code: int, message: str, data: Any = None) -> None:
        super().__init__(f"{code} {message}")
        self.code, self.message, self.data = code, message, data


def _invalid(param: str, reason: str) -> GatewayError:
    return GatewayError(-32602, "Invalid params", {"param": param, "reason": reason})


@dataclass
class Instrument:
    name: str
    base: str
    currency: str  # quote, counter and settlement currency
    tick_size: Decimal
    contract_size: Decimal
    instrument_id: int

    def as_result(self) -> dict[str, Any]:
        return {
            "kind": "future",
            "instrument_name": self.name,
            "instrument_id": self.instrument_id,
            "base_currency": self.base,
            "quote_currency": self.currency,
            "counter_currency": self.currency,
            "settlement_currency": self.currency,
            "settlement_period": "perpetual",
            "instrument_type": "linear",
            "future_type": "linear",
            "is_active": True,
            "min_trade_amount": self.contract_size,
            "contract_size": self.contract_size,
            "tick_size": self.tick_size,
            "tick_size_steps": [],
            "maker_commission": Decimal("0"),
            "taker_commission": TAKER_FEE,
            "max_leverage": 50,
            "price_index": f"{self.base.lower()}_usdc",
            "creation_timestamp": 1722556800000,
            "expiration_timestamp": 32503708800000,
        }


INSTRUMENTS = (
    Instrument("BTC_USDC-PERPETUAL", "BTC", "USDC", Decimal("0.5"), Decimal("0.001"), 1001),
    Instrument("ETH_USDC-PERPETUAL", "ETH", "USDC", Decimal("0.05"), Decimal("0.01"), 1002),
)


@dataclass
class Order:
    order_id: str
    account: str
    instrument: Instrument
    direction: str
    order_type: str
    amount: Decimal
    price: Decimal | None  # None: a market order
    time_in_force: str
    label: str
    post_only: bool
    reject_post_only: bool
    reduce_only: bool
    created: int
    sequence: int
    trigger: str | None = None
    trigger_price: Decimal | None = None
    state: str = "open"
    filled: Decimal = Decimal("0")
    cost: Decimal = Decimal("0")
    updated: int = 0
    replaced: bool = False
    triggered: bool | None = None
    cancel_reason: str | None = None
    linked_order_type: str | None = None
    secondary: list[dict[str, Any]] = field(default_factory=list)  # otoco_config, kept (not executed)

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.filled

    def as_result(self) -> dict[str, Any]:
        result: dict[str, Any] = {
            "order_id": self.order_id,
            "order_state": self.state,
            "order_type": self.order_type,
            "time_in_force": self.time_in_force,
            "instrument_name": self.instrument.name,
            "direction": self.direction,
            "amount": self.amount,
            "contracts": self.amount / self.instrument.contract_size,
            "filled_amount": self.filled,
            "average_price": (self.cost / self.filled) if self.filled else Decimal("0"),
            "price": self.price if self.price is not None else "market_price",
            "label": self.label,
            "post_only": self.post_only,
            "reject_post_only": self.reject_post_only,
            "reduce_only": self.reduce_only,
            "replaced": self.replaced,
            "api": True,
            "web": False,
            "is_liquidation": False,
            "max_show": self.amount,
            "creation_timestamp": self.created,
            "last_update_timestamp": self.updated or self.created,
        }
        if self.trigger is not None:
            result.update(trigger=self.trigger, trigger_price=self.trigger_price, triggered=bool(self.triggered))
        if self.cancel_reason is not None:
            result["cancel_reason"] = self.cancel_reason
        if self.linked_order_type == "one_triggers_one_cancels_other":
            result["is_primary_otoco"] = True
        return result


@dataclass
class Trade:
    trade_id: str
    trade_seq: int
    instrument: Instrument
    timestamp: int
    price: Decimal
    amount: Decimal
    taker_direction: str
    tick_direction: int
    # per side: (order, liquidity, fee)
    sides: list[tuple[Order, str, Decimal]] = field(default_factory=list)

    def for_order(self, order: Order) -> dict[str, Any]:
        """The trade as the owner of `order` sees it (`user_trade`)."""
        for side, liquidity, fee in self.sides:
            if side is order:
                return {
                    "trade_id": self.trade_id,
                    "trade_seq": self.trade_seq,
                    "instrument_name": self.instrument.name,
                    "timestamp": self.timestamp,
                    "order_id": order.order_id,
                    "order_type": "market" if order.price is None else "limit",
                    "matching_id": None,
                    "direction": order.direction,
                    "tick_direction": self.tick_direction,
                    "index_price": self.price,
                    "mark_price": self.price,
                    "price": self.price,
                    "amount": self.amount,
                    "contracts": self.amount / self.instrument.contract_size,
                    "liquidity": liquidity,
                    "fee": fee,
                    "fee_currency": self.instrument.currency,
                    "label": order.label,
                    "state": order.state,
                    "reduce_only": order.reduce_only,
                    "post_only": order.post_only,
                    "api": True,
                    "profit_loss": Decimal("0"),
                }
        raise KeyError(order.order_id)


ParamKinds = dict[str, tuple[str, bool]]  # name -> (kind, required); kind: str int bool number list enum:<a|b|c>


def check(params: dict[str, Any], kinds: ParamKinds) -> None:
    """Refuse unknown names, missing required ones, nulls and wrong JSON types (-32602), as the gateway does."""
    for name in params:
        if name not in kinds:
            raise _invalid(name, "unexpected parameter")
    for name, (kind, required) in kinds.items():
        if name not in params:
            if required:
                raise _invalid(name, "required")
            continue
        value = params[name]
        if kind.startswith("enum:"):
            if value not in kind[5:].split("|"):
                raise _invalid(name, f"must be one of {kind[5:].replace('|', ', ')}")
            continue
        ok = {
            "str": isinstance(value, str),
            "bool": isinstance(value, bool),
            "int": isinstance(value, int) and not isinstance(value, bool),
            "number": isinstance(value, (int, Decimal)) and not isinstance(value, bool),
            "list": isinstance(value, list),
        }[kind]
        if not ok:
            raise _invalid(name, f"must be {'a number' if kind == 'number' else kind}")


def _decimal(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(int(value))


def to_json(value: Any) -> str:
    """Compact JSON with every `Decimal` written with exactly its digits (no float on the way)."""

    def raw(item: Any) -> Any:
        if isinstance(item, Decimal):
            text = format(item.normalize(), "f")
            return RawNumber(text if text != "-0" else "0")
        if isinstance(item, dict):
            return {k: raw(v) for k, v in item.items()}
        if isinstance(item, (list, tuple)):
            return [raw(v) for v in item]
        return item

    return dumps_raw(raw(value))


ORDER_PARAMS: ParamKinds = {
    "instrument_name": ("str", True),
    "amount": ("number", False),
    "contracts": ("number", False),
    "type": ("enum:" + "|".join(sorted(ORDER_TYPES)), False),
    "label": ("str", False),
    "price": ("number", False),
    "time_in_force": ("enum:" + "|".join(sorted(TIME_IN_FORCE)), False),
    "post_only": ("bool", False),
    "reject_post_only": ("bool", False),
    "reduce_only": ("bool", False),
    "trigger_price": ("number", False),
    "trigger": ("enum:" + "|".join(sorted(TRIGGERS)), False),
    "valid_until": ("int", False),
    "linked_order_type": ("enum:one_triggers_other|one_cancels_other|one_triggers_one_cancels_other", False),
    "trigger_fill_condition": ("enum:first_hit|complete_fill|incremental", False),
    "otoco_config": ("list", False),
}
OTOCO_PARAMS: ParamKinds = {
    "direction": ("enum:buy|sell", True),
    "type": ("enum:" + "|".join(sorted(ORDER_TYPES)), True),
    "amount": ("number", False),
    "price": ("number", False),
    "trigger_price": ("number", False),
    "trigger_offset": ("number", False),
    "trigger": ("enum:" + "|".join(sorted(TRIGGERS)), False),
    "time_in_force": ("enum:" + "|".join(sorted(TIME_IN_FORCE)), False),
    "reduce_only": ("bool", False),
    "post_only": ("bool", False),
    "reject_post_only": ("bool", False),
    "label": ("str", False),
}
EDIT_PARAMS: ParamKinds = {
    "amount": ("number", False),
    "contracts": ("number", False),
    "price": ("number", False),
    "post_only": ("bool", False),
    "reject_post_only": ("bool", False),
    "reduce_only": ("bool", False),
    "trigger_price": ("number", False),
    "valid_until": ("int", False),
}
OPEN_TYPES = "enum:all|limit|trigger_all|stop_all|stop_limit|stop_market|take_all|take_limit|take_market|trailing_all|trailing_stop"
CANCEL_TYPES = "enum:all|limit|trigger_all|stop|take|trailing_stop"
KINDS = "enum:future|option|spot|future_combo|option_combo"
KIND_FILTERS = "enum:future|option|spot|future_combo|option_combo|combo|any"


class Exchange:
    """The engine: instruments, books, orders, trades and positions, safe to call from any thread."""

    def __init__(self, instruments: tuple[Instrument, ...] = INSTRUMENTS) -> None:
        self.instruments = {i.name: i for i in instruments}
        self.lock = threading.RLock()
        self.orders: dict[str, Order] = {}
        self.trades: list[Trade] = []
        self.positions: Counter[tuple[str, str]] = Counter()  # (account, instrument) -> signed size
        self.calls: Counter[str] = Counter()
        self._sequence = 0
        self._trade_seq: Counter[str] = Counter()
        self._last_price: dict[str, Decimal] = {}

    # -- the test's side ---------------------------------------------------------------------------

    def place(
        self, direction: str, instrument_name: str, amount: str, price: str | None = None, *, account: str = MAKER, **options: Any
    ) -> Order:
        """Place an order for another account (the market the user trades against)."""
        params: dict[str, Any] = {"instrument_name": instrument_name, "amount": Decimal(amount), **options}
        if price is not None:
            params["price"] = Decimal(price)
        with self.lock:
            result = self._place(direction, params, account)
        return self.orders[result["order"]["order_id"]]

    def count(self, method: str) -> int:
        with self.lock:
            return self.calls[method]

    # -- dispatch ----------------------------------------------------------------------------------

    def handles(self, method: str) -> bool:
        return method in METHODS

    def call(self, method: str, params: dict[str, Any], account: str | None) -> Any:
        """Run one method for `account` (None: not authenticated); its result, or a GatewayError."""
        with self.lock:
            self.calls[method] += 1
            handler = METHODS[method]
            if method.startswith("private/") and account is None:
                raise GatewayError(13009, "unauthorized", {"reason": "not_authenticated"})
            return handler(self, params, account or "")

    def call_json(self, method: str, params: dict[str, Any], account: str | None) -> str:
        return to_json(self.call(method, params, account))

    # -- helpers -----------------------------------------------------------------------------------

    def _now(self) -> int:
        return time.time_ns() // 1_000_000

    def _instrument(self, name: str) -> Instrument:
        instrument = self.instruments.get(name)
        if instrument is None:
            raise GatewayError(10020, "invalid_or_unsupported_instrument", {"param": "instrument_name", "reason": name})
        return instrument

    def _order(self, order_id: str, account: str) -> Order:
        order = self.orders.get(order_id)
        if order is None or order.account != account:
            raise GatewayError(10004, "order_not_found", {"order_id": order_id})
        return order

    def _book(self, instrument: Instrument, side: str) -> list[Order]:
        """Resting orders on one side, best first (price, then time)."""
        resting = [
            o
            for o in self.orders.values()
            if o.instrument is instrument and o.state == "open" and o.direction == side and o.price is not None
        ]
        if side == "buy":
            return sorted(resting, key=lambda o: (-o.price, o.sequence))  # type: ignore[operator]
        return sorted(resting, key=lambda o: (o.price, o.sequence))  # type: ignore[type-var]

    def _amount(self, params: dict[str, Any], instrument: Instrument, *, required: bool = True) -> Decimal | None:
        amount = params.get("amount")
        contracts = params.get("contracts")
        if amount is None and contracts is None:
            if required:
                raise _invalid("amount", "amount or contracts is required")
            return None
        if contracts is not None:
            from_contracts = _decimal(contracts) * instrument.contract_size
            if amount is not None and _decimal(amount) != from_contracts:
                raise _invalid("contracts", "does not match amount")
            amount = from_contracts
        value = _decimal(amount)
        if value <= 0:
            raise GatewayError(10021, "invalid_amount")
        if value % instrument.contract_size:
            raise _invalid("amount", f"must be a multiple of the contract size {instrument.contract_size}")
        return value

    def _price(self, params: dict[str, Any], instrument: Instrument, name: str = "price") -> Decimal | None:
        if name not in params:
            return None
        price = _decimal(params[name])
        if price <= 0:
            raise GatewayError(10023, "invalid_price")
        if price % instrument.tick_size:
            raise GatewayError(10043 if name == "price" else 10044, "price_wrong_tick" if name == "price" else "trigger_price_wrong_tick")
        return price

    # -- matching ----------------------------------------------------------------------------------

    def _place(self, direction: str, params: dict[str, Any], account: str) -> dict[str, Any]:
        check(params, ORDER_PARAMS)
        linked = params.get("otoco_config")
        if (linked is None) != ("linked_order_type" not in params):
            raise _invalid("otoco_config", "linked_order_type and otoco_config go together")
        for index, leg in enumerate(linked or []):
            if not isinstance(leg, dict):
                raise _invalid(f"otoco_config[{index}]", "must be an object")
            check(leg, OTOCO_PARAMS)
        instrument = self._instrument(params["instrument_name"])
        amount = self._amount(params, instrument)
        assert amount is not None
        order_type = params.get("type", "limit")
        if order_type in ("trailing_stop", "market_limit"):
            raise GatewayError(10033, "not_implemented", {"reason": f"the test gateway does not model {order_type}"})
        price = self._price(params, instrument)
        trigger_price = self._price(params, instrument, "trigger_price")
        limit_like = order_type in ("limit", "stop_limit", "take_limit")
        if limit_like and price is None:
            raise _invalid("price", f"required for {order_type}")
        if not limit_like and price is not None:
            raise _invalid("price", f"not allowed for {order_type}")
        trigger_order = order_type.startswith(("stop_", "take_"))
        if trigger_order and (trigger_price is None or "trigger" not in params):
            raise _invalid("trigger_price" if trigger_price is None else "trigger", f"required for {order_type}")
        post_only = bool(params.get("post_only", False))
        time_in_force = params.get("time_in_force", "good_til_cancelled")
        if post_only and time_in_force != "good_til_cancelled":
            raise GatewayError(11055, "post_only_not_allowed")
        reduce_only = bool(params.get("reduce_only", False))
        if reduce_only:
            position = self.positions[(account, instrument.name)]
            reduces = (position > 0 and direction == "sell") or (position < 0 and direction == "buy")
            if not reduces:
                raise GatewayError(11030, "other_reject reduce_only", {"reason": "the order would not reduce the position"})
            amount = min(amount, abs(position))
        now = self._now()
        self._sequence += 1
        order = Order(
            order_id=f"{instrument.name}-{1000 + self._sequence}",
            account=account,
            instrument=instrument,
            direction=direction,
            order_type=order_type,
            amount=amount,
            price=price,
            time_in_force=time_in_force,
            label=str(params.get("label", "")),
            post_only=post_only,
            reject_post_only=bool(params.get("reject_post_only", False)),
            reduce_only=reduce_only,
            created=now,
            sequence=self._sequence,
            trigger=params.get("trigger"),
            trigger_price=trigger_price,
            triggered=False if trigger_order else None,
            state="untriggered" if trigger_order else "open",
            linked_order_type=params.get("linked_order_type"),
            secondary=list(linked or []),
        )
        self.orders[order.order_id] = order
        trades = [] if trigger_order else self._match(order)
        return {"order": order.as_result(), "trades": [t.for_order(order) for t in trades]}

    def _match(self, order: Order) -> list[Trade]:
        """Match an incoming (or just triggered) order against the book; rest, cancel or kill what is left."""
        opposite = "sell" if order.direction == "buy" else "buy"

        def crosses(resting: Order) -> bool:
            if order.price is None:
                return True
            assert resting.price is not None
            return resting.price <= order.price if order.direction == "buy" else resting.price >= order.price

        book = [r for r in self._book(order.instrument, opposite) if crosses(r)]
        if order.post_only and book:
            if order.reject_post_only:
                order.state = "rejected"
                raise GatewayError(11054, "post_only_reject")
            best = book[0].price
            assert best is not None
            tick = order.instrument.tick_size
            order.price = best - tick if order.direction == "buy" else best + tick
            book = []
        if order.time_in_force == "fill_or_kill" and sum((r.remaining for r in book), Decimal("0")) < order.amount:
            order.state, order.cancel_reason = "cancelled", "user_request"
            return []
        trades: list[Trade] = []
        for resting in book:
            if order.remaining <= 0:
                break
            trades.append(self._trade(order, resting, min(order.remaining, resting.remaining)))
        if order.remaining == 0:
            order.state = "filled"
        elif order.price is None or order.time_in_force in ("immediate_or_cancel", "fill_or_kill"):
            order.state = "cancelled"
        order.updated = self._now()
        if trades:
            self._trigger(order.instrument)
        return trades

    def _trade(self, taker: Order, maker: Order, amount: Decimal) -> Trade:
        assert maker.price is not None
        price = maker.price
        instrument = taker.instrument
        last = self._last_price.get(instrument.name)
        self._trade_seq[instrument.name] += 1
        seq = self._trade_seq[instrument.name]
        tick_direction = 0 if last is None or price > last else 2 if price < last else 1
        fee = price * amount * TAKER_FEE
        trade = Trade(f"{instrument.base}-USDC-{seq}", seq, instrument, self._now(), price, amount, taker.direction, tick_direction)
        for order, liquidity, order_fee in ((taker, "T", fee), (maker, "M", Decimal("0"))):
            order.filled += amount
            order.cost += price * amount
            order.updated = trade.timestamp
            if order.remaining == 0:
                order.state = "filled"
            signed = amount if order.direction == "buy" else -amount
            self.positions[(order.account, instrument.name)] += signed  # type: ignore[assignment]
            trade.sides.append((order, liquidity, order_fee))
        self._last_price[instrument.name] = price
        self.trades.append(trade)
        return trade

    def _trigger(self, instrument: Instrument) -> None:
        """Fire the untriggered stop/take orders whose trigger the last price crossed."""
        last = self._last_price.get(instrument.name)
        if last is None:
            return
        for order in sorted(self.orders.values(), key=lambda o: o.sequence):
            if order.instrument is not instrument or order.state != "untriggered" or order.trigger_price is None:
                continue
            stop = order.order_type.startswith("stop_")
            rises = last >= order.trigger_price
            falls = last <= order.trigger_price
            fire = (rises if order.direction == "buy" else falls) if stop else (falls if order.direction == "buy" else rises)
            if fire:
                order.state, order.triggered = "open", True
                self._match(order)

    # -- trading methods ---------------------------------------------------------------------------

    def buy(self, params: dict[str, Any], account: str) -> Any:
        return self._place("buy", params, account)

    def sell(self, params: dict[str, Any], account: str) -> Any:
        return self._place("sell", params, account)

    def _edit(self, order: Order, params: dict[str, Any]) -> Any:
        if order.state not in ("open", "untriggered"):
            raise GatewayError(11044, "not_open_order", {"order_state": order.state})
        amount = self._amount(params, order.instrument, required=False)
        price = self._price(params, order.instrument)
        trigger_price = self._price(params, order.instrument, "trigger_price")
        if amount is not None:
            if amount < order.filled:
                raise GatewayError(10021, "invalid_amount", {"reason": "below the filled amount"})
            order.amount = amount
        if price is not None:
            if order.price is None:
                raise _invalid("price", "not allowed for a market order")
            order.price = price
            self._sequence += 1
            order.sequence = self._sequence  # a new price loses time priority
        if trigger_price is not None:
            order.trigger_price = trigger_price
        for flag in ("post_only", "reject_post_only", "reduce_only"):
            if flag in params:
                setattr(order, flag, bool(params[flag]))
        order.replaced = True
        order.updated = self._now()
        trades: list[Trade] = []
        if order.remaining == 0:
            order.state = "filled"
        elif order.state == "open":
            trades = self._match(order)
        return {"order": order.as_result(), "trades": [t.for_order(order) for t in trades]}

    def edit(self, params: dict[str, Any], account: str) -> Any:
        check(
            params,
            {
                "order_id": ("str", True),
                **EDIT_PARAMS,
                "advanced": ("str", False),
                "trigger_offset": ("number", False),
                "mmp": ("bool", False),
                "display_amount": ("number", False),
            },
        )
        return self._edit(self._order(params["order_id"], account), params)

    def edit_by_label(self, params: dict[str, Any], account: str) -> Any:
        check(
            params,
            {"label": ("str", True), "instrument_name": ("str", True), **EDIT_PARAMS, "advanced": ("str", False), "mmp": ("bool", False)},
        )
        instrument = self._instrument(params["instrument_name"])
        matches = [o for o in self._open(account) if o.label == params["label"] and o.instrument is instrument]
        if not matches:
            raise GatewayError(10004, "order_not_found", {"label": params["label"]})
        if len(matches) > 1:
            raise GatewayError(13032, "non_unique_order_label", {"label": params["label"], "count": len(matches)})
        return self._edit(matches[0], {k: v for k, v in params.items() if k not in ("label", "instrument_name")})

    def _cancel(self, order: Order) -> None:
        order.state, order.cancel_reason, order.updated = "cancelled", "user_request", self._now()

    def cancel(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"order_id": ("str", True)})
        order = self._order(params["order_id"], account)
        if order.state not in ("open", "untriggered"):
            raise GatewayError(11044, "not_open_order", {"order_state": order.state})
        self._cancel(order)
        return order.as_result()

    def _open(self, account: str) -> list[Order]:
        return sorted(
            (o for o in self.orders.values() if o.account == account and o.state in ("open", "untriggered")), key=lambda o: o.sequence
        )

    @staticmethod
    def _of_type(order: Order, kind: str) -> bool:
        trigger = order.order_type.startswith(("stop_", "take_", "trailing_"))
        return {
            "all": True,
            "limit": not trigger,
            "trigger_all": trigger,
            "stop": order.order_type.startswith("stop_"),
            "stop_all": order.order_type.startswith("stop_"),
            "take": order.order_type.startswith("take_"),
            "take_all": order.order_type.startswith("take_"),
            "trailing_stop": order.order_type == "trailing_stop",
            "trailing_all": order.order_type.startswith("trailing_"),
        }.get(kind, order.order_type == kind)

    def _cancel_where(self, account: str, keep: Callable[[Order], bool], detailed: bool) -> Any:
        cancelled = [o for o in self._open(account) if keep(o)]
        for order in cancelled:
            self._cancel(order)
        if not detailed:
            return len(cancelled)
        reports: dict[tuple[str, str], list[Order]] = {}
        for order in cancelled:
            kind = "trigger" if order.trigger is not None else "limit"
            reports.setdefault((order.instrument.currency, kind), []).append(order)
        return [
            {"currency": currency, "type": kind, "result": "ok", "cancelled_orders": [o.as_result() for o in orders]}
            for (currency, kind), orders in sorted(reports.items())
        ]

    def cancel_all(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"detailed": ("bool", False), "freeze_quotes": ("bool", False)})
        return self._cancel_where(account, lambda o: True, bool(params.get("detailed")))

    def cancel_all_by_currency(self, params: dict[str, Any], account: str) -> Any:
        check(
            params,
            {
                "currency": ("str", True),
                "kind": (KIND_FILTERS, False),
                "type": (CANCEL_TYPES, False),
                "detailed": ("bool", False),
                "freeze_quotes": ("bool", False),
            },
        )
        kind, order_type = params.get("kind", "any"), params.get("type", "all")
        return self._cancel_where(
            account,
            lambda o: o.instrument.currency == params["currency"] and kind in ("any", "future") and self._of_type(o, order_type),
            bool(params.get("detailed")),
        )

    def cancel_all_by_instrument(self, params: dict[str, Any], account: str) -> Any:
        check(
            params,
            {
                "instrument_name": ("str", True),
                "type": (CANCEL_TYPES, False),
                "detailed": ("bool", False),
                "include_combos": ("bool", False),
                "freeze_quotes": ("bool", False),
            },
        )
        instrument = self._instrument(params["instrument_name"])
        order_type = params.get("type", "all")
        return self._cancel_where(
            account, lambda o: o.instrument is instrument and self._of_type(o, order_type), bool(params.get("detailed"))
        )

    def cancel_by_label(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"label": ("str", True), "currency": ("str", False)})
        currency = params.get("currency")
        return self._cancel_where(account, lambda o: o.label == params["label"] and currency in (None, o.instrument.currency), False)

    def close_position(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"instrument_name": ("str", True), "type": ("enum:limit|market", True), "price": ("number", False)})
        instrument = self._instrument(params["instrument_name"])
        position = self.positions[(account, instrument.name)]
        if position == 0:
            raise GatewayError(10010, "already_closed", {"reason": "no position"})
        order: dict[str, Any] = {"instrument_name": instrument.name, "amount": abs(position), "type": params["type"], "reduce_only": True}
        if params["type"] == "limit":
            if "price" not in params:
                raise _invalid("price", "required for limit")
            order["price"] = params["price"]
        elif params["type"] == "market":
            order["time_in_force"] = "immediate_or_cancel"
        return self._place("sell" if position > 0 else "buy", order, account)

    # -- reads -------------------------------------------------------------------------------------

    def get_open_orders(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"kind": (KINDS, False), "type": (OPEN_TYPES, False)})
        return [
            o.as_result()
            for o in self._open(account)
            if params.get("kind", "future") == "future" and self._of_type(o, params.get("type", "all"))
        ]

    def get_open_orders_by_currency(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"currency": ("str", True), "kind": (KINDS, False), "type": (OPEN_TYPES, False)})
        return [
            o.as_result()
            for o in self._open(account)
            if o.instrument.currency == params["currency"]
            and params.get("kind", "future") == "future"
            and self._of_type(o, params.get("type", "all"))
        ]

    def get_open_orders_by_instrument(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"instrument_name": ("str", True), "type": (OPEN_TYPES, False)})
        instrument = self._instrument(params["instrument_name"])
        return [o.as_result() for o in self._open(account) if o.instrument is instrument and self._of_type(o, params.get("type", "all"))]

    def get_order_state(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"order_id": ("str", True)})
        return self._order(params["order_id"], account).as_result()

    _HISTORY: ParamKinds = {
        "count": ("int", False),
        "offset": ("int", False),
        "include_old": ("bool", False),
        "include_unfilled": ("bool", False),
        "with_continuation": ("bool", False),
        "continuation": ("str", False),
        "historical": ("bool", False),
    }

    def _history(self, params: dict[str, Any], account: str, keep: Callable[[Order], bool]) -> Any:
        closed = [
            o
            for o in self.orders.values()
            if o.account == account
            and o.state in ("filled", "cancelled", "rejected")
            and keep(o)
            and (o.filled > 0 or params.get("include_unfilled"))
        ]
        closed.sort(key=lambda o: (o.updated, o.sequence), reverse=True)
        offset, count = params.get("offset", 0), params.get("count", 20)
        return [o.as_result() for o in closed[offset : offset + count]]

    def get_order_history_by_currency(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"currency": ("str", True), "kind": (KIND_FILTERS, False), **self._HISTORY})
        return self._history(params, account, lambda o: o.instrument.currency == params["currency"])

    def get_order_history_by_instrument(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"instrument_name": ("str", True), **self._HISTORY})
        instrument = self._instrument(params["instrument_name"])
        return self._history(params, account, lambda o: o.instrument is instrument)

    def _user_trades(self, account: str, keep: Callable[[Trade], bool], params: dict[str, Any]) -> list[dict[str, Any]]:
        rows = [(trade, order) for trade in self.trades for order, _, _ in trade.sides if order.account == account and keep(trade)]
        rows.sort(key=lambda row: (row[0].timestamp, row[0].trade_seq), reverse=params.get("sorting", "desc") != "asc")
        return [trade.for_order(order) for trade, order in rows]

    _TRADES: ParamKinds = {
        "count": ("int", False),
        "start_timestamp": ("int", False),
        "end_timestamp": ("int", False),
        "historical": ("bool", False),
        "sorting": ("enum:asc|desc|default", False),
    }

    def _page(self, rows: list[dict[str, Any]], params: dict[str, Any]) -> Any:
        count = params.get("count", 10)
        return {"trades": rows[:count], "has_more": len(rows) > count}

    def get_user_trades_by_instrument(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"instrument_name": ("str", True), "start_seq": ("int", False), "end_seq": ("int", False), **self._TRADES})
        instrument = self._instrument(params["instrument_name"])
        start, end = params.get("start_seq", 0), params.get("end_seq", 1 << 62)
        rows = self._user_trades(
            account, lambda t: t.instrument is instrument and start <= t.trade_seq <= end and self._in_time(t, params), params
        )
        return self._page(rows, params)

    @staticmethod
    def _in_time(trade: Trade, params: dict[str, Any]) -> bool:
        return params.get("start_timestamp", 0) <= trade.timestamp <= params.get("end_timestamp", 1 << 62)

    def get_user_trades_by_currency(self, params: dict[str, Any], account: str) -> Any:
        check(
            params,
            {
                "currency": ("str", True),
                "kind": (KIND_FILTERS, False),
                "start_id": ("str", False),
                "end_id": ("str", False),
                "subaccount_id": ("int", False),
                **self._TRADES,
            },
        )
        rows = self._user_trades(account, lambda t: t.instrument.currency == params["currency"] and self._in_time(t, params), params)
        return self._page(rows, params)

    def get_user_trades_by_order(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"order_id": ("str", True), "sorting": ("enum:asc|desc|default", False), "historical": ("bool", False)})
        order = self._order(params["order_id"], account)
        return [t.for_order(order) for t in self.trades if any(o is order for o, _, _ in t.sides)]

    # -- market data -------------------------------------------------------------------------------

    def get_instruments(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"currency": ("str", True), "kind": (KINDS, False), "expired": ("bool", False)})
        if params.get("expired") or params.get("kind", "future") != "future":
            return []
        return [i.as_result() for i in self.instruments.values() if params["currency"] in ("any", i.currency, i.base)]

    def get_instrument(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"instrument_name": ("str", True)})
        instrument = self.instruments.get(params["instrument_name"])
        if instrument is None:
            raise GatewayError(13020, "not_found", {"instrument_name": params["instrument_name"]})
        return instrument.as_result()

    def _levels(self, instrument: Instrument, side: str, depth: int) -> list[list[Decimal]]:
        levels: dict[Decimal, Decimal] = {}
        for order in self._book(instrument, side):
            assert order.price is not None
            levels[order.price] = levels.get(order.price, Decimal("0")) + order.remaining
        return [[price, amount] for price, amount in list(levels.items())[:depth]]

    def _market(self, instrument: Instrument) -> dict[str, Any]:
        bids, asks = self._levels(instrument, "buy", 1), self._levels(instrument, "sell", 1)
        last = self._last_price.get(instrument.name)
        mark = last if last is not None else (bids[0][0] + asks[0][0]) / 2 if bids and asks else Decimal("0")
        prices = [t.price for t in self.trades if t.instrument is instrument]
        volume = sum((t.amount for t in self.trades if t.instrument is instrument), Decimal("0"))
        return {
            "instrument_name": instrument.name,
            "timestamp": self._now(),
            "state": "open",
            "best_bid_price": bids[0][0] if bids else None,
            "best_bid_amount": bids[0][1] if bids else Decimal("0"),
            "best_ask_price": asks[0][0] if asks else None,
            "best_ask_amount": asks[0][1] if asks else Decimal("0"),
            "last_price": last,
            "mark_price": mark,
            "index_price": mark,
            "settlement_price": mark,
            "min_price": (mark * Decimal("0.95")).quantize(instrument.tick_size),
            "max_price": (mark * Decimal("1.05")).quantize(instrument.tick_size),
            "open_interest": sum((abs(v) for (a, i), v in self.positions.items() if i == instrument.name and a != MAKER), Decimal("0")),
            "current_funding": Decimal("0"),
            "funding_8h": Decimal("0"),
            "interest_value": Decimal("0"),
            "stats": {
                "high": max(prices) if prices else None,
                "low": min(prices) if prices else None,
                "price_change": None,
                "volume": volume,
            },
        }

    def get_order_book(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"instrument_name": ("str", True), "depth": ("int", False)})
        instrument = self._instrument(params["instrument_name"])
        depth = params.get("depth", 20)
        return {
            **self._market(instrument),
            "change_id": self._sequence,
            "bids": self._levels(instrument, "buy", depth),
            "asks": self._levels(instrument, "sell", depth),
        }

    def ticker(self, params: dict[str, Any], account: str) -> Any:
        check(params, {"instrument_name": ("str", True)})
        return self._market(self._instrument(params["instrument_name"]))

    def get_tradingview_chart_data(self, params: dict[str, Any], account: str) -> Any:
        check(
            params,
            {
                "instrument_name": ("str", True),
                "start_timestamp": ("int", True),
                "end_timestamp": ("int", True),
                "resolution": ("enum:" + "|".join(RESOLUTIONS), True),
            },
        )
        instrument = self._instrument(params["instrument_name"])
        width = RESOLUTIONS[params["resolution"]] * 60_000
        candles: dict[int, list[Trade]] = {}
        for trade in self.trades:
            if trade.instrument is instrument and params["start_timestamp"] <= trade.timestamp <= params["end_timestamp"]:
                candles.setdefault(trade.timestamp - trade.timestamp % width, []).append(trade)
        ticks = sorted(candles)
        series = [candles[t] for t in ticks]
        return {
            "status": "ok" if ticks else "no_data",
            "ticks": ticks,
            "open": [c[0].price for c in series],
            "high": [max(t.price for t in c) for c in series],
            "low": [min(t.price for t in c) for c in series],
            "close": [c[-1].price for c in series],
            "volume": [sum((t.amount for t in c), Decimal("0")) for c in series],
            "cost": [sum((t.amount * t.price for t in c), Decimal("0")) for c in series],
        }

    def get_time(self, params: dict[str, Any], account: str) -> Any:
        check(params, {})
        return self._now()


METHODS: dict[str, Callable[[Exchange, dict[str, Any], str], Any]] = {
    "private/buy": Exchange.buy,
    "private/sell": Exchange.sell,
    "private/edit": Exchange.edit,
    "private/edit_by_label": Exchange.edit_by_label,
    "private/cancel": Exchange.cancel,
    "private/cancel_all": Exchange.cancel_all,
    "private/cancel_all_by_currency": Exchange.cancel_all_by_currency,
    "private/cancel_all_by_instrument": Exchange.cancel_all_by_instrument,
    "private/cancel_by_label": Exchange.cancel_by_label,
    "private/close_position": Exchange.close_position,
    "private/get_open_orders": Exchange.get_open_orders,
    "private/get_open_orders_by_currency": Exchange.get_open_orders_by_currency,
    "private/get_open_orders_by_instrument": Exchange.get_open_orders_by_instrument,
    "private/get_order_state": Exchange.get_order_state,
    "private/get_order_history_by_currency": Exchange.get_order_history_by_currency,
    "private/get_order_history_by_instrument": Exchange.get_order_history_by_instrument,
    "private/get_user_trades_by_currency": Exchange.get_user_trades_by_currency,
    "private/get_user_trades_by_instrument": Exchange.get_user_trades_by_instrument,
    "private/get_user_trades_by_order": Exchange.get_user_trades_by_order,
    "public/get_instruments": Exchange.get_instruments,
    "public/get_instrument": Exchange.get_instrument,
    "public/get_order_book": Exchange.get_order_book,
    "public/ticker": Exchange.ticker,
    "public/get_tradingview_chart_data": Exchange.get_tradingview_chart_data,
    "public/get_time": Exchange.get_time,
}
