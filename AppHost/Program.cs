Console.WriteLine("LivepeerAspire AppHost: not yet implemented");
return 1;
