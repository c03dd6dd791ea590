"""The few: public-data operators, data merchants, exchanges and the regulator, as Mesa agents."""

from agents.exchange import DataExchange
from agents.merchant import DataMerchant
from agents.operator import PublicDataOperator
from agents.regulator import Regulator

__all__ = ["DataExchange", "DataMerchant", "PublicDataOperator", "Regulator"]
