from django.apps import AppConfig


class BrokerageConfig(AppConfig):
    name = "convenor.brokerage"
    label = "brokerage"
    verbose_name = "Brokerage and commissioning"
