// Shows the visitor's local time: something for the page to do on the client.
const clock = document.getElementById("clock");
const tick = () => { clock.textContent = "Your time: " + new Date().toLocaleTimeString(); };
tick();
setInterval(tick, 1000);
