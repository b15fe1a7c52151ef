"""Delivering `notify` actions: channels from the runner config, transports from plugins.

A notify action names a channel (`channel: pager`); the runner config says what the channel
is (transport, destination, where its credentials live); a transport plugin turns the message
into an e-mail, a chat post, a page or a signed webhook. Policies never hold a destination or
a secret.
"""
